// A vitest reporter for scripts/test.mjs: keeps the list of test files that have started and not yet
// finished in the file named by MARQUEE_TEST_RUNNING_FILE, so a run stopped for taking too long can say
// which files it was stuck in.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

export default class RunningFilesReporter {
  running = new Map();

  onTestModuleStart(testModule) {
    this.running.set(testModule.moduleId, Date.now());
    this.write();
  }

  onTestModuleEnd(testModule) {
    this.running.delete(testModule.moduleId);
    this.write();
  }

  write() {
    const file = process.env.MARQUEE_TEST_RUNNING_FILE;
    if (!file) return;
    // "<start ms>\t<file>" lines; scripts/test.mjs says how long each has been running.
    writeFileSync(
      file,
      [...this.running].map(([id, since]) => `${since}\t${relative(process.cwd(), id)}`).join('\n'),
    );
  }
}
