// Emulator start-up plus a four-stack CloudFormation deploy, or a compose platform coming up,
// takes minutes; Jest reads a test timeout only from the root config or from here.
jest.setTimeout(10 * 60 * 1000);
