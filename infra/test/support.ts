/**
 * Shared synthesis for the template tests: each profile is synthesized once per test file, with
 * the example deployment settings dev and prod need (an example.com e-mail; prod a certificate).
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { ProfileName } from '../lib/profiles';
import { type DeploymentSettings, EXAMPLE_SETTINGS, settingsAsContext } from '../lib/settings';
import {
  type CfnTemplate,
  type Module,
  type SynthesizedPlatform,
  synthesizePlatform,
} from '../scripts/synthesize';

const synthesized = new Map<ProfileName, SynthesizedPlatform>();

export function platformOf(profile: ProfileName): SynthesizedPlatform {
  let result = synthesized.get(profile);
  if (!result) {
    result = synthesizePlatform(profile, { context: exampleContext(profile) });
    synthesized.set(profile, result);
  }
  return result;
}

export function templateOf(profile: ProfileName, module: Module): Template {
  return Template.fromJSON(platformOf(profile).templates[module]);
}

export function rawTemplateOf(profile: ProfileName, module: Module): CfnTemplate {
  return platformOf(profile).templates[module];
}

/** The logical IDs of a template's resources of one type. */
export function logicalIdsOf(template: Template, type: string, properties?: unknown): string[] {
  return Object.keys(
    template.findResources(type, properties === undefined ? undefined : { Properties: properties }),
  );
}

/** The example deployment settings of a profile as context, given explicitly to every synthesis. */
export function exampleContext(profile: ProfileName): Record<string, string> {
  return settingsAsContext(EXAMPLE_SETTINGS[profile]);
}

/** One profile synthesized with the example settings and `settings` on top. */
export function templatesWith(
  profile: ProfileName,
  settings: DeploymentSettings,
): Readonly<Record<Module, CfnTemplate>> {
  return synthesizePlatform(profile, {
    context: { ...exampleContext(profile), ...settingsAsContext(settings) },
  }).templates;
}
