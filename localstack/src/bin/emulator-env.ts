/**
 * Prints the selected emulator as shell assignments for the Makefile and compose.yaml:
 *   eval "$(node localstack/dist/bin/emulator-env.js)"
 */
import { runMain } from '../cli';
import { selectEmulator } from '../emulator';

runMain('emulator', async () => {
  const emulator = selectEmulator();
  const assignments = {
    AWS_EMULATOR: emulator.name,
    EMULATOR_IMAGE: emulator.image,
    EMULATOR_PORT: String(emulator.port),
    EMULATOR_HEALTH_PATH: emulator.healthPath,
  };
  for (const [name, value] of Object.entries(assignments)) console.log(`${name}='${value}'`);
});
