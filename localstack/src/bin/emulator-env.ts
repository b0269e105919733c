/**
 * Prints the selected emulator as shell assignments for the Makefile and compose.yaml:
 *   eval "$(node localstack/dist/emulator-env.js)"
 */
import { EmulatorConfigError, selectEmulator } from './emulator';

try {
  const emulator = selectEmulator();
  const assignments = {
    AWS_EMULATOR: emulator.name,
    EMULATOR_IMAGE: emulator.image,
    EMULATOR_PORT: String(emulator.port),
    EMULATOR_HEALTH_PATH: emulator.healthPath,
  };
  for (const [name, value] of Object.entries(assignments)) console.log(`${name}='${value}'`);
} catch (error) {
  if (!(error instanceof EmulatorConfigError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
