import { spawnerSection } from '../../../src/config/schema.js';
import type { SpawnerSettings } from '../../../src/hub/spawner/factory.js';

/** The `spawner` config section with every default, as a hub without a config file has it. */
export function spawnerSectionDefaults(): SpawnerSettings {
  return spawnerSection.parse({});
}
