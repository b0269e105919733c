/**
 * `make integ-aws`: the dev profile deployed into a real AWS account under a unique prefix, then
 * checked and destroyed:
 *
 *   1. deploy the four stacks (`cdk deploy --all`, no prompt) with the prefix `zapi-integ-<hex>`,
 *      this machine's public address as the only admin address, and the alerts e-mail of
 *      ALERTS_EMAIL (else integ-alerts@example.com, whose subscription stays unconfirmed);
 *   2. GET /healthz through the load balancer answers 200;
 *   3. the twelve alarms reach OK;
 *   4. a forced alarm state (SetAlarmState ALARM on one alarm) is notified, once, to a queue
 *      the test subscribes to the alerts topic;
 *   5. always: unsubscribe and delete the queue, `cdk destroy --all`, then delete what the stacks
 *      retain or AWS creates beside them (the ALB log bucket, log groups under the prefix).
 *
 * Without AWS credentials it prints `SKIPPED` with the reason and exits 0: it never passes
 * without running. Settings: INTEG_PREFIX (default random), INTEG_ADMIN_CIDR (default
 * <public IP>/32 from checkip.amazonaws.com), PLATFORM_API_IMAGE (an existing image for the tasks;
 * by default `cdk deploy` builds the API image asset from api/ and pushes it to the bootstrap ECR
 * repository, which needs Docker here), ALERTS_EMAIL, INTEG_TIMEOUT_MINUTES (each wait, default 15).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseAwsCommand, preflight } from '../lib/aws-preflight';
import { runCdk } from '../lib/cdk-cli';
import { runMain } from '../lib/cli';
import { platformNames } from '../lib/names';
import { ALARM_KEYS, PROFILES } from '../lib/profiles';
import { type DeploymentSettings, settingsAsCdkArguments } from '../lib/settings';

const PROFILE = PROFILES.dev;
const LABEL = 'integ-aws';

/** Why the run cannot reach an AWS account, or undefined when it can try. */
export async function skipReason(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const client = new CloudFormationClient({ region: PROFILE.region });
  try {
    await client.config.credentials();
    return undefined;
  } catch (error) {
    const cause = (error as Error).message.split('\n')[0];
    const hint = env.AWS_PROFILE ? ` (AWS_PROFILE=${env.AWS_PROFILE})` : '';
    return `no AWS credentials${hint}: ${cause}; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to run it`;
  }
}

/** `zapi-integ-<6 hex>`: short enough for every name derived from a prefix. */
export function uniquePrefix(random: () => string = () => randomBytes(3).toString('hex')): string {
  return `zapi-integ-${random()}`;
}

/** Whether an SQS message body is the alerts topic's notification of `alarmName` entering `state`. */
export function isNotification(body: string, alarmName: string, state: string): boolean {
  try {
    const envelope = JSON.parse(body) as { Type?: string; Message?: string };
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') return false;
    const message = JSON.parse(envelope.Message) as { AlarmName?: string; NewStateValue?: string };
    return message.AlarmName === alarmName && message.NewStateValue === state;
  } catch {
    return false;
  }
}

/** Polls `probe` until it returns a value, or throws after `minutes` with `what`. */
async function waitFor<T>(
  what: string,
  minutes: number,
  probe: () => Promise<T | undefined>,
  everySeconds = 15,
): Promise<T> {
  const deadline = Date.now() + minutes * 60_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${minutes} min`);
    await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000));
  }
}

async function publicCidr(): Promise<string> {
  const configured = process.env.INTEG_ADMIN_CIDR?.trim();
  if (configured) return configured;
  const response = await fetch('https://checkip.amazonaws.com', { signal: AbortSignal.timeout(10_000) });
  const address = (await response.text()).trim();
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    throw new Error(`checkip.amazonaws.com answered ${JSON.stringify(address)}; set INTEG_ADMIN_CIDR`);
  }
  return `${address}/32`;
}

interface Check {
  readonly name: string;
  ok?: boolean;
  detail?: string;
}

async function main(): Promise<number> {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
  if (endpoint) {
    console.error(`${LABEL}: AWS_ENDPOINT_URL is set (${endpoint}); unset it to talk to AWS`);
    return 1;
  }
  const skip = await skipReason();
  if (skip) {
    console.log(`${LABEL}: SKIPPED: ${skip}`);
    return 0;
  }

  const minutes = Number(process.env.INTEG_TIMEOUT_MINUTES ?? 15);
  const prefix = process.env.INTEG_PREFIX?.trim() || uniquePrefix();
  const settings: DeploymentSettings = {
    prefix,
    alertsEmail: process.env.ALERTS_EMAIL?.trim() || 'integ-alerts@example.com',
    adminCidrs: [await publicCidr()],
    ...(process.env.PLATFORM_API_IMAGE?.trim() ? { apiImage: process.env.PLATFORM_API_IMAGE.trim() } : {}),
  };
  const contextArguments = settingsAsCdkArguments(settings);
  const { command, problems: parseProblems } = parseAwsCommand(['deploy', ...contextArguments], {
    ...process.env,
    PLATFORM_PROFILE: 'dev',
    APPROVAL: 'never',
    STACK: '',
  });
  const checked = command ? await preflight(command) : { problems: parseProblems, profile: PROFILE };
  // A fresh prefix has no stack yet, so only the configuration and the account can fail here.
  if (checked.problems.length > 0) {
    for (const problem of checked.problems) console.error(`${LABEL}: ${problem}`);
    console.error(`${LABEL}: FAILED before deploying anything`);
    return 1;
  }
  const profile = checked.profile;
  // Without PLATFORM_API_IMAGE, cdk deploy builds the API image asset (api/Dockerfile) with Docker.
  const docker = process.env.CDK_DOCKER ?? 'docker';
  if (profile.service.image === undefined && spawnSync(docker, ['info'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      `${LABEL}: the API image asset is built with Docker and \`${docker} info\` does not answer: start Docker, or set PLATFORM_API_IMAGE to an existing image`,
    );
    console.error(`${LABEL}: FAILED before deploying anything`);
    return 1;
  }
  const names = platformNames(prefix);
  console.log(
    `${LABEL}: deploying the dev profile as ${prefix} to ${profile.region}; admin address ${settings.adminCidrs?.join(',')}; alerts to ${settings.alertsEmail}; image ${settings.apiImage ?? 'the API image asset (cdk deploy builds api/Dockerfile and pushes it; PLATFORM_API_IMAGE names an existing one instead)'}`,
  );

  const region = profile.region;
  const cloudFormation = new CloudFormationClient({ region });
  const cloudWatch = new CloudWatchClient({ region });
  const sns = new SNSClient({ region });
  const sqs = new SQSClient({ region });
  const outputsFile = join(mkdtempSync(join(tmpdir(), 'integ-aws-')), 'outputs.json');
  const cdkEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' };
  const checks: Check[] = [
    { name: 'deploy of the four stacks' },
    { name: 'GET /healthz through the load balancer answers 200' },
    { name: `the ${ALARM_KEYS.length} alarms are OK` },
    { name: 'one notification for a forced alarm state' },
  ];
  const [deployed, health, alarmsOk, notified] = checks as [Check, Check, Check, Check];
  let bucketName: string | undefined;
  let queueUrl: string | undefined;
  let subscriptionArn: string | undefined;

  try {
    const deploy = await runCdk(
      [
        'deploy',
        '--all',
        '-c',
        'profile=dev',
        ...contextArguments,
        '--require-approval',
        'never',
        '--outputs-file',
        outputsFile,
        '--progress',
        'events',
      ],
      cdkEnv,
    );
    deployed.ok = deploy === 0;
    // Whatever got deployed is destroyed below; the bucket is retained, so note it now.
    bucketName = await logicalResource(cloudFormation, `${prefix}-networking`, 'AWS::S3::Bucket');
    if (!deployed.ok) throw new Error(`cdk deploy exited with ${deploy}`);

    const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
    const apiUrl = outputs[`${prefix}-compute`]?.ApiUrl;
    if (!apiUrl) throw new Error('the compute stack has no ApiUrl output');
    const status = await waitFor(`${apiUrl}/healthz`, minutes, async () => {
      const response = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
      return response.status === 200 ? response.status : undefined;
    });
    health.ok = true;
    health.detail = `${apiUrl}/healthz: ${status}`;

    let last: MetricAlarm[] = [];
    try {
      await waitFor('every alarm OK', minutes, async () => {
        const { MetricAlarms = [] } = await cloudWatch.send(
          new DescribeAlarmsCommand({ AlarmNamePrefix: `${prefix}-`, MaxRecords: 100 }),
        );
        last = MetricAlarms;
        return MetricAlarms.length === ALARM_KEYS.length && MetricAlarms.every((a) => a.StateValue === 'OK')
          ? true
          : undefined;
      });
      alarmsOk.ok = true;
      alarmsOk.detail = `${last.length} alarms OK`;
    } catch (error) {
      alarmsOk.ok = false;
      alarmsOk.detail = `${(error as Error).message}: ${last
        .filter((alarm) => alarm.StateValue !== 'OK')
        .map((alarm) => `${alarm.AlarmName} ${alarm.StateValue}`)
        .join(', ')} (${last.length} found)`;
    }

    // The forced state change, notified through the alerts topic to a queue of this test.
    const topicArn = await logicalResource(cloudFormation, `${prefix}-observability`, 'AWS::SNS::Topic');
    if (!topicArn) throw new Error('the observability stack has no alerts topic');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-integ-inbox` }))).QueueUrl;
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: Attributes.QueueArn,
                Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
              },
            ],
          }),
        },
      }),
    );
    subscriptionArn = (
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: Attributes.QueueArn,
          ReturnSubscriptionArn: true,
        }),
      )
    ).SubscriptionArn;
    const alarmName = names.alarm('kong_cpu_high');
    await cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarmName,
        StateValue: 'ALARM',
        StateReason: `${LABEL}: forced`,
      }),
    );
    let count = 0;
    let firstAt: number | undefined;
    const deadline = Date.now() + 3 * 60_000;
    // Read on for a minute after the first one, to see that it came once.
    while (Date.now() < deadline && (firstAt === undefined || Date.now() - firstAt < 60_000)) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
      );
      for (const message of Messages) {
        if (isNotification(message.Body ?? '', alarmName, 'ALARM')) {
          count += 1;
          firstAt ??= Date.now();
        }
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    notified.ok = count === 1;
    notified.detail = `${count} ALARM notification(s) of ${alarmName}`;
  } catch (error) {
    console.error(`${LABEL}: ${(error as Error).message}`);
  } finally {
    await cleanUp({
      prefix,
      region,
      contextArguments,
      cdkEnv,
      bucketName,
      queueUrl,
      subscriptionArn,
      sns,
      sqs,
    });
  }

  for (const check of checks) {
    const verdict = check.ok === undefined ? 'NOT RUN' : check.ok ? 'ok' : 'FAILED';
    console.log(`${LABEL}: ${verdict}: ${check.name}${check.detail ? ` (${check.detail})` : ''}`);
  }
  const passed = checks.every((check) => check.ok === true);
  console.log(`${LABEL}: ${passed ? 'PASSED' : 'FAILED'}`);
  return passed ? 0 : 1;
}

/** The physical ID of the first resource of a type in a stack, if the stack exists. */
async function logicalResource(
  cloudFormation: CloudFormationClient,
  stackName: string,
  type: string,
): Promise<string | undefined> {
  try {
    const { StackResources = [] } = await cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: stackName }),
    );
    return StackResources.find((resource) => resource.ResourceType === type)?.PhysicalResourceId;
  } catch {
    return undefined;
  }
}

interface CleanUp {
  readonly prefix: string;
  readonly region: string;
  readonly contextArguments: readonly string[];
  readonly cdkEnv: NodeJS.ProcessEnv;
  readonly bucketName?: string;
  readonly queueUrl?: string;
  readonly subscriptionArn?: string;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

/** Removes everything the run created, going on past each failure and reporting it. */
async function cleanUp(run: CleanUp): Promise<void> {
  const step = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      console.error(`${LABEL}: clean-up: ${what}: ${(error as Error).message} (remove it by hand)`);
    }
  };
  if (run.subscriptionArn) {
    await step('unsubscribe', () =>
      run.sns.send(new UnsubscribeCommand({ SubscriptionArn: run.subscriptionArn })),
    );
  }
  if (run.queueUrl)
    await step('delete the queue', () => run.sqs.send(new DeleteQueueCommand({ QueueUrl: run.queueUrl })));
  await step('cdk destroy', async () => {
    const code = await runCdk(
      ['destroy', '--all', '--force', '-c', 'profile=dev', ...run.contextArguments],
      run.cdkEnv,
    );
    if (code !== 0) throw new Error(`exited with ${code}`);
  });
  if (run.bucketName)
    await step(`delete the bucket ${run.bucketName}`, () =>
      deleteBucket(run.region, run.bucketName as string),
    );
  await step('delete the log groups', async () => {
    const logs = new CloudWatchLogsClient({ region: run.region });
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePattern: run.prefix, nextToken }),
      );
      for (const group of page.logGroups ?? []) {
        await logs.send(new DeleteLogGroupCommand({ logGroupName: group.logGroupName }));
        console.log(`${LABEL}: clean-up: deleted log group ${group.logGroupName}`);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  });
}

async function deleteBucket(region: string, bucket: string): Promise<void> {
  const s3 = new S3Client({ region });
  let more = true;
  while (more) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({
      Key,
      VersionId,
    }));
    if (objects.length > 0) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    }
    more = Boolean(page.IsTruncated);
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  console.log(`${LABEL}: clean-up: deleted bucket ${bucket}`);
}

if (require.main === module) runMain(LABEL, main);
