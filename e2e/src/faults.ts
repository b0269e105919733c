/**
 * The api's fault switch (`PUT /_local/fault`, enabled only by the local profile), driven from
 * inside each task so that every task gets the mode, whatever the load balancer would pick.
 */
import { execFileSync } from 'node:child_process';

export type FaultMode = 'none' | 'http-500' | 'slow' | 'unhealthy' | 'error-logs' | 'cpu';

const PUT_FAULT =
  "const r=require('http').request('http://127.0.0.1:8080/_local/fault',{method:'PUT',headers:{'content-type':'application/json','x-api-key':process.env.KEY}},res=>{let b='';res.on('data',c=>b+=c);res.on('end',()=>{if(res.statusCode!==200){console.error(res.statusCode+' '+b);process.exit(1)}})});r.on('error',e=>{console.error(e.message);process.exit(1)});r.end(process.env.FAULT)";

/** Sets the mode in every task given; `percent` is mode cpu's share of the task's CPU. */
export function setFault(
  containerIds: readonly string[],
  apiKey: string,
  mode: FaultMode,
  percent?: number,
): void {
  for (const id of containerIds) {
    execFileSync(
      'docker',
      [
        'exec',
        '-e',
        `FAULT=${JSON.stringify({ mode, percent })}`,
        '-e',
        `KEY=${apiKey}`,
        id,
        'node',
        '-e',
        PUT_FAULT,
      ],
      { encoding: 'utf8' },
    );
  }
}
