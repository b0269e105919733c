import type { Metric } from '@aws-sdk/client-cloudwatch';
import {
  parseSearchExpression,
  SearchExpressionError,
  searchFinds,
  searchTokens,
} from '../src/metrics/search-expression';

const metric = (Namespace: string, MetricName: string, dimensions: Record<string, string> = {}): Metric => ({
  Namespace,
  MetricName,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
});

const finds = (expression: string, candidate: Metric) =>
  searchFinds(parseSearchExpression(expression), candidate);

describe('searchTokens', () => {
  // The guide's table of generated tokens ("Tokenization")
  test.each([
    ['CustomCount1', ['customcount1', 'custom', 'count', '1']],
    ['SDBFailure', ['sdbfailure', 'sdb', 'failure']],
    ['Project2-trial333', ['project2trial333', 'project', '2', 'trial', '333']],
  ])('%s', (original, tokens) => {
    expect(searchTokens(original)).toEqual(tokens);
  });
});

describe('parseSearchExpression', () => {
  test('reads the schema, the statistic and the period', () => {
    // GIVEN the guide's first example
    const search = parseSearchExpression(
      `SEARCH(' {AWS/EC2,InstanceId} MetricName="CPUUtilization" ', 'Average', 300)`,
    );
    // THEN
    expect(search).toEqual({
      schema: { namespace: 'AWS/EC2', dimensionNames: ['InstanceId'] },
      term: { kind: 'match', property: 'MetricName', text: 'CPUUtilization', exact: true },
      statistic: 'Average',
      period: 300,
    });
  });

  test.each([
    ['not a SEARCH', `METRICS()`, /not a search expression/],
    ['no schema and no term', `SEARCH(' ', 'Sum', 60)`, /neither a metric schema nor a search term/],
    ['an open schema', `SEARCH('{AWS/EC2 x', 'Sum', 60)`, /no closing brace/],
    ['an open parenthesis', `SEARCH('(a OR b', 'Sum', 60)`, /parenthesis is not closed/],
    ['a dangling operator', `SEARCH('a OR', 'Sum', 60)`, /ends too early/],
  ])('refuses %s with a reason', (_, expression, reason) => {
    expect(() => parseSearchExpression(expression)).toThrow(SearchExpressionError);
    expect(() => parseSearchExpression(expression)).toThrow(reason);
  });
});

describe('searchFinds', () => {
  const custom = metric('MyNamespace', 'CustomCount1');

  // The guide's partial-match examples ("Partial matches")
  test.each([
    ['count', true],
    ['Count', true],
    ['COUNT', true],
    ['couNT', false],
    ['CustomCount', true],
    ['Count1', true],
    ['customcount', false],
    ['count1', false],
  ])('partial term %s finds CustomCount1: %s', (term, found) => {
    expect(finds(`SEARCH(' ${term} ', 'Maximum', 120)`, custom)).toBe(found);
  });

  // "Exact matches"
  test.each([
    ['"CustomCount1"', true],
    ['"customcount1"', false],
    ['"Custom"', false],
  ])('exact term %s finds CustomCount1: %s', (term, found) => {
    expect(finds(`SEARCH(' {MyNamespace}, ${term} ', 'Maximum', 120)`, custom)).toBe(found);
  });

  // "Non-alphanumeric characters"
  test.each(['network/errors', 'network+errors', 'network-errors', 'Network_Errors'])(
    '%s finds Network-Errors-2 and NetworkErrors2',
    (term) => {
      expect(finds(`SEARCH('${term}', 'Sum', 60)`, metric('App', 'Network-Errors-2'))).toBe(true);
      expect(finds(`SEARCH('${term}', 'Sum', 60)`, metric('App', 'NetworkErrors2'))).toBe(true);
    },
  );

  test('a schema finds only the metrics with exactly its dimensions', () => {
    // GIVEN an instance's metric and the per-type aggregate
    const perInstance = metric('AWS/EC2', 'CPUUtilization', { InstanceId: 'i-1', InstanceType: 't2.micro' });
    const perType = metric('AWS/EC2', 'CPUUtilization', { InstanceType: 't2.micro' });
    const search = `SEARCH(' {AWS/EC2,InstanceType} MetricName="CPUUtilization" ', 'Average', 300)`;
    // THEN
    expect(finds(search, perType)).toBe(true);
    expect(finds(search, perInstance)).toBe(false);
    expect(finds(search, metric('AWS/ECS', 'CPUUtilization', { InstanceType: 't2.micro' }))).toBe(false);
  });

  test('designators match one property, partially or exactly', () => {
    const micro = metric('AWS/EC2', 'CPUUtilization', { InstanceType: 't2.micro' });
    expect(
      finds(
        `SEARCH('{AWS/EC2,InstanceType} InstanceType=micro MetricName="CPUUtilization"', 'Average')`,
        micro,
      ),
    ).toBe(true);
    expect(finds(`SEARCH('InstanceType="t2.micro" Namespace="AWS/EC2"', 'Average', 300)`, micro)).toBe(true);
    expect(finds(`SEARCH('InstanceType="micro"', 'Average', 300)`, micro)).toBe(false);
    expect(finds(`SEARCH('MetricName="CPU"', 'Average', 300)`, micro)).toBe(false);
  });

  test('AND, OR, NOT and parentheses, as in the Lambda example', () => {
    // GIVEN the guide's nested grouping
    const search = `SEARCH(' {AWS/Lambda,FunctionName} MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB)) ', 'Average', 600)`;
    const fn = (name: string, metricName: string) => metric('AWS/Lambda', metricName, { FunctionName: name });
    // THEN errors of every function, invocations of the ProjectA and ProjectB functions only
    expect(finds(search, fn('other', 'Errors'))).toBe(true);
    expect(finds(search, fn('ProjectA-ingest', 'Invocations'))).toBe(true);
    expect(finds(search, fn('other', 'Invocations'))).toBe(false);
    expect(
      finds(
        `SEARCH(' {AWS/EC2,InstanceId} MetricName="CPUUtilization" NOT i-1234567890123456 ', 'Average', 300)`,
        metric('AWS/EC2', 'CPUUtilization', { InstanceId: 'i-1234567890123456' }),
      ),
    ).toBe(false);
  });

  test("the dashboard's load balancer searches find the ALB's metrics by its name", () => {
    // GIVEN the observability stack's search and the simulated ALB's metrics
    const search = `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" "zama-alb"', 'Minimum', 60)`;
    const lb = 'app/zama-alb/50dc6c495c0c9188';
    const tg = 'targetgroup/zama-api/6d0ecf831eec9f09';
    // THEN the target group metric of that ALB, and no other
    expect(
      finds(search, metric('AWS/ApplicationELB', 'HealthyHostCount', { LoadBalancer: lb, TargetGroup: tg })),
    ).toBe(true);
    expect(finds(search, metric('AWS/ApplicationELB', 'HealthyHostCount', { LoadBalancer: lb }))).toBe(false);
    expect(
      finds(
        search,
        metric('AWS/ApplicationELB', 'HealthyHostCount', {
          LoadBalancer: 'app/zama-alb-2/1',
          TargetGroup: tg,
        }),
      ),
    ).toBe(false);
  });
});
