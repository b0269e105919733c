/**
 * Shared synthesis for the template tests, with the example deployment settings dev and prod
 * need (an example.com e-mail; prod a certificate): the templates come from the synthesis cache
 * that every test process shares; a test that needs the constructs themselves synthesizes its
 * profile once per test file.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { ProfileName } from '../lib/profiles';
import { type DeploymentSettings, EXAMPLE_SETTINGS, settingsAsContext } from '../lib/settings';
import {
  type CfnTemplate,
  type Module,
  type SynthesizedPlatform,
  synthesizeExample,
  synthesizePlatform,
} from '../lib/synthesize';

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
  return Template.fromJSON(rawTemplateOf(profile, module));
}

export function templatesOf(profile: ProfileName): Readonly<Record<Module, CfnTemplate>> {
  return synthesizeExample(profile).templates;
}

export function rawTemplateOf(profile: ProfileName, module: Module): CfnTemplate {
  return synthesizeExample(profile).templates[module];
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
