import { readFileSync } from 'node:fs';
import { formatMarkdown, INVENTORY_PATH, LOCAL_REASONS, renderInventory } from '../bin/inventory';
import { SEED_ROWS } from '../lib/seed-parity';
import { templatesOf } from './support';

describe('parity with the seed', () => {
  const dev = templatesOf('dev');

  test.each(SEED_ROWS.map((row) => [`${row.section}: ${row.seed}`, row] as const))(
    '%s has a CloudFormation counterpart in the dev profile',
    (_, row) => {
      // GIVEN the dev profile, the seed's environment
      // WHEN the row is looked up in the synthesized templates
      const counterparts = row.find(dev);
      // THEN there is one for each Terraform instance the seed lists
      expect(counterparts.length).toBeGreaterThanOrEqual(row.instances ?? 1);
    },
  );

  test('covers the seed: 72 Terraform resources, 9 security group rules, 15 container fields, 3 secret keys', () => {
    // GIVEN / WHEN the seed rows
    const count = (section: string) => SEED_ROWS.filter((row) => row.section === section).length;
    const instances = SEED_ROWS.filter(
      (row) => row.section === 'Resource inventory' || row.section === 'Alarms',
    ).reduce((sum, row) => sum + (row.instances ?? 1), 0);
    // THEN
    expect(instances).toBe(72);
    expect(count('Alarms')).toBe(12);
    expect(count('Security group rules')).toBe(9);
    expect(count('Container definition')).toBe(15);
    expect(count('Secret contents')).toBe(3);
  });

  test('the local profile lacks exactly the rows it explains', () => {
    // GIVEN the local profile
    const local = templatesOf('local');
    // WHEN
    const missing = SEED_ROWS.filter((row) => row.find(local).length === 0).map((row) => row.seed);
    // THEN
    expect(missing.sort()).toEqual(Object.keys(LOCAL_REASONS).sort());
  });

  test('docs/inventory.md is what the templates produce (run `npm run inventory -w infra`)', () => {
    // GIVEN the templates of every profile
    const templates = { dev, local: templatesOf('local'), prod: templatesOf('prod') };
    // WHEN
    const rendered = formatMarkdown(renderInventory(templates));
    // THEN
    expect(readFileSync(INVENTORY_PATH, 'utf8')).toBe(rendered);
  });
});
