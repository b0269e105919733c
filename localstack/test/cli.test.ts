import { describeFailure, requiredEnv, runMain, UsageError } from '../src/cli';

/** What runMain did: its exit code and what it wrote to stderr. */
async function outcome(main: () => Promise<unknown>): Promise<{ code?: number; stderr: string }> {
  let stderr = '';
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  let code: number | undefined;
  const exit = jest.spyOn(process, 'exit').mockImplementation(((value?: number) => {
    code = value;
  }) as typeof process.exit);
  try {
    runMain('tool', main);
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stderr };
  } finally {
    write.mockRestore();
    exit.mockRestore();
  }
}

describe('runMain', () => {
  test('exits with the code main resolves to', async () => {
    expect(await outcome(async () => 3)).toEqual({ code: 3, stderr: '' });
  });

  test('does not exit when main resolves with nothing: a server keeps serving', async () => {
    expect(await outcome(async () => undefined)).toEqual({ code: undefined, stderr: '' });
  });

  test('a failure is one line naming the tool, and exit code 1', async () => {
    expect(await outcome(async () => Promise.reject(new Error('the emulator does not answer')))).toEqual({
      code: 1,
      stderr: 'tool: the emulator does not answer\n',
    });
  });

  test('a command line that cannot be used is the problem and the usage, and exit code 2', async () => {
    const main = async () => Promise.reject(new UsageError('no URL given', 'tool <URL>'));
    expect(await outcome(main)).toEqual({ code: 2, stderr: 'tool: no URL given\nusage: tool <URL>\n' });
  });
});

describe('describeFailure', () => {
  test('gives the stack of a programming mistake, which its message alone would hide', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'port')");
    expect(describeFailure('alb', bug)).toBe(`alb: ${bug.stack}`);
  });

  test('describes what is not an Error', () => {
    expect(describeFailure('alb', 'gone')).toBe('alb: gone');
  });
});

describe('requiredEnv', () => {
  test('gives the value, trimmed', () => {
    expect(requiredEnv('AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: ' http://emulator:4566 ' })).toBe(
      'http://emulator:4566',
    );
  });

  test('says who sets a variable that is missing or blank', () => {
    expect(() => requiredEnv('DEPLOYED_NAMES_FILE', { DEPLOYED_NAMES_FILE: ' ' })).toThrow(
      'DEPLOYED_NAMES_FILE is not set (compose.yaml sets it)',
    );
  });
});
