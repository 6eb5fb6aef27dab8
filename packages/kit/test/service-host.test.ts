import { isProvisionTask } from '../src/service-host';

describe('provision task switch', () => {
  it('is on with the provision argument or CRM_TASK=provision, off otherwise', () => {
    expect(isProvisionTask(['node', 'dist/main.js', 'provision'], {})).toBe(true);
    expect(isProvisionTask(['node', 'dist/main.js'], { CRM_TASK: 'provision' })).toBe(true);
    expect(isProvisionTask(['node', 'dist/main.js'], {})).toBe(false);
    // The script path itself never counts, even if a folder is called provision.
    expect(isProvisionTask(['node', 'provision'], {})).toBe(false);
  });
});
