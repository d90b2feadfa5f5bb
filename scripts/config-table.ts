import { settingsTable } from '@marquee/core';

console.log(settingsTable());
