/**
 * Kong's own tool validates the gateway files offline (`deck file validate`) where it is
 * installed, in .local/bin or on PATH. Without it these tests are reported skipped, with the
 * reason; the schema tests (deck-file.test.ts) still run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  consumersFromSecret,
  GATEWAY_TEMPLATE,
  gatewayConfigYaml,
  readGatewayTemplate,
  renderGatewayConfig,
} from '../../src/gateway/render';

const REPO_DECK = join(__dirname, '..', '..', '..', '.local', 'bin', 'deck');

function findDeck(): string | undefined {
  if (existsSync(REPO_DECK)) return REPO_DECK;
  return spawnSync('deck', ['version'], { stdio: 'ignore' }).status === 0 ? 'deck' : undefined;
}

const deck = findDeck();
if (!deck) {
  process.stderr.write(
    `\n*** SKIPPED: deck file validate: decK is neither at ${REPO_DECK} nor on PATH; ` +
      'install it, e.g. GOBIN=$PWD/.local/bin go install github.com/kong/deck@v1.55.0\n\n',
  );
}

function validate(file: string): { status: number | null; output: string } {
  const result = spawnSync(deck as string, ['file', 'validate', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function writeTemporary(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'deck-validate-')), name);
  writeFileSync(path, text);
  return path;
}

const rendered = renderGatewayConfig(readGatewayTemplate(), {
  consumers: consumersFromSecret('{"api_key_demo":"k1","partner":"k2"}', 'api-keys'),
});

(deck ? describe : describe.skip)('deck file validate', () => {
  it('accepts the committed policy', () => {
    expect(validate(GATEWAY_TEMPLATE)).toEqual({ status: 0, output: expect.any(String) });
  });

  it('accepts the file rendered with consumers', () => {
    const file = writeTemporary('kong.yaml', gatewayConfigYaml(rendered, 'api-keys'));
    expect(validate(file)).toEqual({ status: 0, output: expect.any(String) });
  });

  it('refuses a file Kong could not load (two consumers with one name)', () => {
    const broken = { ...rendered, consumers: [...(rendered.consumers ?? []), ...(rendered.consumers ?? [])] };
    const file = writeTemporary('kong.json', JSON.stringify(broken));
    expect(validate(file).status).not.toBe(0);
  });
});
