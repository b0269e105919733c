/**
 * `make alerts`, inside the monitor service: prints the alarm notifications in the local
 * alerts inbox (alerts/inbox.ts), leaving them there.
 */
import { formatInbox, readInbox } from '../alerts/inbox';
import { requiredEnv, runMain } from '../cli';
import { readDeployedNames } from '../deployed-names-file';
import { emulatorClientConfig, emulatorClients } from '../emulator-clients';

const SET_BY = 'run it as `make alerts` does, in the monitor service';

runMain('alerts', async () => {
  const { sqs } = emulatorClients(emulatorClientConfig(process.env, SET_BY));
  const names = readDeployedNames(requiredEnv('DEPLOYED_NAMES_FILE', process.env, SET_BY));
  process.stdout.write(`${formatInbox(await readInbox(sqs, names.alertsInboxQueueUrl))}\n`);
});
