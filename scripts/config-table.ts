import { settingsTable } from '@marquee/core';
import { marqueeSettingsSchema } from '../packages/cli/src/settings.js';

console.log(settingsTable(marqueeSettingsSchema));
