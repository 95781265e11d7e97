// Step 16: no page of the run logged a script error or a CSP violation.
import { anyStepPassed, assert, problems, step } from '../harness.mjs';

export async function pageProblemsStep() {
  await step(16, 'no script errors or CSP violations on any page', {
    requires: () => (anyStepPassed() ? null : 'no page was exercised'),
  }, async () => {
    assert(problems.length === 0, `${problems.length} problem(s): ${problems.slice(0, 3).join(' | ')}`);
  });
}
