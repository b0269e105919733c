/**
 * `npm run deploy:local -w @zama/localstack` (`make deploy-local`): the CDK app with the local
 * profile into the emulator at AWS_ENDPOINT_URL, then what its CloudFormation skipped
 * (deploy/deploy-local.ts).
 */
import { runMain } from '../cli';
import { DEPLOY_LOCAL, deployLocal } from '../deploy/deploy-local';

runMain(DEPLOY_LOCAL, () => deployLocal(process.env));
