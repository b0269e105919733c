/**
 * The CDK app's templates for the tests that compare the local data plane with them, through
 * @zama/infra's door: each profile synthesized once per test file, with the example settings.
 */
import { type CfnTemplate, type Module, type ProfileName, synthesizeExample } from '@zama/infra';

export function templatesOf(profile: ProfileName): Readonly<Record<Module, CfnTemplate>> {
  return synthesizeExample(profile).templates;
}

export function rawTemplateOf(profile: ProfileName, module: Module): CfnTemplate {
  return templatesOf(profile)[module];
}

/** Where that synthesis left its cloud assembly (manifest, templates, asset manifests). */
export function assemblyDirOf(profile: ProfileName): string {
  return synthesizeExample(profile).assemblyDir;
}
