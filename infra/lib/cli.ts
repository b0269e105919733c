/**
 * What the CDK app's command-line tools (bin/) share: they exit with the code their main
 * resolves to (2 for a command line that cannot be used), and a failure is one line,
 * `<tool>: <what is wrong>`, exit code 1. The local data plane's tools keep the same contract
 * in their own package (localstack/src/cli.ts): its long-running services may not load this
 * one, which brings the whole CDK with it.
 */
export function runMain(tool: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${tool}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
