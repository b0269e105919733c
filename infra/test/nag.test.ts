import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, type INagLogger, type NagLoggerSuppressedData } from 'cdk-nag';
import { PROFILE_NAMES } from '../lib/profiles';
import { MODULES, synthesizePlatform } from '../lib/synthesize';
import { exampleContext } from './support';

/** Records which findings a suppression silenced, to prove none is left without a finding. */
class SuppressedFindings implements INagLogger {
  readonly entries: Array<{ ruleId: string; reason: string; path: string }> = [];
  onSuppressed(data: NagLoggerSuppressedData): void {
    this.entries.push({ ruleId: data.ruleId, reason: data.suppressionReason, path: data.resource.node.path });
  }
  onCompliance(): void {}
  onNonCompliance(): void {}
  onError(): void {}
  onSuppressedError(): void {}
  onNotApplicable(): void {}
}

/** Rule IDs of the suppressions the stacks declare, from the cdk_nag metadata of each resource. */
function declaredSuppressions(templates: ReturnType<typeof synthesizePlatform>['templates']) {
  return MODULES.flatMap((module) =>
    Object.values(templates[module].Resources).flatMap(
      (resource) =>
        (
          resource.Metadata?.cdk_nag as
            | { rules_to_suppress?: Array<{ id: string; reason: string }> }
            | undefined
        )?.rules_to_suppress ?? [],
    ),
  );
}

describe.each(PROFILE_NAMES)('cdk-nag AwsSolutions (%s profile)', (profile) => {
  // GIVEN the profile with AwsSolutionsChecks applied to the whole app
  const suppressed = new SuppressedFindings();
  // WHEN
  const { platform, templates } = synthesizePlatform(profile, {
    beforeSynth: (app) =>
      Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true, additionalLoggers: [suppressed] })),
    // Keep findings as annotations to list them, rather than failing synthesis on the first stack.
    context: { ...exampleContext(profile), '@aws-cdk/core:annotationsInValidationReport': false },
  });

  it.each(MODULES)('THEN the %s stack has no unsuppressed finding', (module) => {
    const annotations = Annotations.fromStack(platform[module]);
    const findings = [
      ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);
    expect(findings).toEqual([]);
  });

  it('THEN every suppression gives a reason and silences a real finding', () => {
    const declared = declaredSuppressions(templates);
    expect(declared.length).toBeGreaterThan(0);
    for (const { id, reason } of declared) {
      expect({ id, reason: reason.length >= 40 }).toEqual({ id, reason: true });
      expect(suppressed.entries.map((entry) => entry.ruleId)).toContain(id);
    }
  });
});
