import { awslogsStreamName } from '../../src/logs/log-shipper';

describe('awslogsStreamName', () => {
  it.each([
    ['ecs', 'api', '0123456789abcdef0123456789abcdef', 'ecs/api/0123456789abcdef0123456789abcdef'],
    [
      'zama-local',
      'api',
      'fedcba9876543210fedcba9876543210',
      'zama-local/api/fedcba9876543210fedcba9876543210',
    ],
  ])(
    'prefix %s, container %s, task %s: %s, as the awslogs driver names an ECS task stream',
    (prefix, container, taskId, name) => {
      expect(awslogsStreamName(prefix, container, taskId)).toBe(name);
    },
  );
});
