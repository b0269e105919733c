import { CfnResource, Stack } from 'aws-cdk-lib';
import { PROFILE_NAMES } from '../lib/profiles';
import { synthesizePlatform } from '../lib/synthesize';
import { exampleContext } from './support';

// The CDK's built-in CloudFormation validation (schema, best-practice and misconfiguration rules)
// costs seconds, so the scripts' `cdk synth` skips it; here it runs with findings as errors.
describe('CloudFormation rules', () => {
  test.each(PROFILE_NAMES)(
    'every %s template passes the built-in validation',
    (profile) => {
      // GIVEN the profile
      // WHEN synthesized with validation, findings failing synthesis
      const synthesize = () =>
        synthesizePlatform(profile, { validate: true, context: exampleContext(profile) });
      // THEN
      expect(synthesize).not.toThrow();
    },
    60_000,
  );

  test('the validation rejects a template CloudFormation would reject', () => {
    // GIVEN a resource with a property its type does not have
    const addInvalidTopic = (stack: Stack) =>
      new CfnResource(stack, 'InvalidTopic', {
        type: 'AWS::SNS::Topic',
        properties: { NoSuchProperty: true },
      });
    // WHEN
    const synthesize = () =>
      synthesizePlatform('local', {
        validate: true,
        beforeSynth: (app) => addInvalidTopic(app.node.children.find(Stack.isStack) as Stack),
      });
    // THEN
    expect(synthesize).toThrow(/NoSuchProperty/);
  }, 60_000);
});
