/**
 * Fills the synthesis cache before the test processes start, so that no two of them synthesize
 * the same profile at once; every suite of the run (localstack's too) then reads the templates.
 */
import { PROFILE_NAMES } from '../lib/profiles';
import { synthesizeExample } from '../lib/synthesize';

export default function fillSynthesisCache(): void {
  for (const profile of PROFILE_NAMES) synthesizeExample(profile);
}
