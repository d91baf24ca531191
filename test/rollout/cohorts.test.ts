// Cohorts: compileCohort and inCohort — header values, address ranges (IPv4, IPv6,
// IPv4-mapped) and req.user fields (dot paths, arrays, numbers vs strings).
import { describe, expect, it } from 'vitest';
import { compileCohort, inCohort } from '../../src/rollout/cohorts.js';
import { view } from '../helpers/request-view.js';

describe('compileCohort', () => {
  it('lower-cases header names, wraps single values and splits dot paths', () => {
    const cohort = compileCohort('staff', { header: { 'X-Staff': '1', 'X-Team': ['a', 'b'] }, user: { 'org.id': 42, roles: ['admin', 'ops'] } });
    expect(cohort.name).toBe('staff');
    expect(cohort.headers).toEqual([
      { name: 'x-staff', values: ['1'] },
      { name: 'x-team', values: ['a', 'b'] },
    ]);
    expect(cohort.user).toEqual([
      { path: ['org', 'id'], values: [42] },
      { path: ['roles'], values: ['admin', 'ops'] },
    ]);
    expect(cohort.addresses).toBeUndefined();
  });

  it('throws on an invalid range', () => {
    expect(() => compileCohort('office', { cidr: ['10.0.0.0/8', 'nope'] })).toThrow('"nope" is not an address range such as 10.0.0.0/8');
  });
});

describe('inCohort: headers', () => {
  const staff = compileCohort('staff', { header: { 'X-Staff': ['1', 'yes'] } });

  it('takes a request whose header has one of the values', () => {
    expect(inCohort(staff, view({ headers: { 'x-staff': '1' } }))).toBe(true);
    expect(inCohort(staff, view({ headers: { 'x-staff': 'yes' } }))).toBe(true);
  });

  it('refuses another value or a missing header', () => {
    expect(inCohort(staff, view({ headers: { 'x-staff': '0' } }))).toBe(false);
    expect(inCohort(staff, view({ headers: { 'x-staff': 'YES' } }))).toBe(false);
    expect(inCohort(staff, view())).toBe(false);
  });
});

describe('inCohort: address ranges', () => {
  const office = compileCohort('office', { cidr: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.10'] });

  it('takes IPv4 addresses in range', () => {
    expect(inCohort(office, view({ ip: '10.1.2.3' }))).toBe(true);
    expect(inCohort(office, view({ ip: '10.255.255.255' }))).toBe(true);
    expect(inCohort(office, view({ ip: '192.168.1.10' }))).toBe(true);
  });

  it('takes IPv4-mapped IPv6 addresses in an IPv4 range', () => {
    expect(inCohort(office, view({ ip: '::ffff:10.1.2.3' }))).toBe(true);
    expect(inCohort(office, view({ ip: '::ffff:a01:203' }))).toBe(true);
    expect(inCohort(office, view({ ip: '::ffff:11.1.2.3' }))).toBe(false);
  });

  it('takes IPv6 addresses in range', () => {
    expect(inCohort(office, view({ ip: '2001:db8::1' }))).toBe(true);
    expect(inCohort(office, view({ ip: '2001:db8:ffff:1::5' }))).toBe(true);
    expect(inCohort(office, view({ ip: '2001:db9::1' }))).toBe(false);
  });

  it('refuses addresses out of range, missing or unparseable', () => {
    expect(inCohort(office, view({ ip: '11.0.0.1' }))).toBe(false);
    expect(inCohort(office, view({ ip: '192.168.1.11' }))).toBe(false);
    expect(inCohort(office, view({ ip: '::1' }))).toBe(false);
    expect(inCohort(office, view())).toBe(false);
    expect(inCohort(office, view({ ip: '' }))).toBe(false);
    expect(inCohort(office, view({ ip: 'not-an-ip' }))).toBe(false);
  });
});

describe('inCohort: user fields', () => {
  it('compares a top-level field', () => {
    const staff = compileCohort('staff', { user: { role: 'staff' } });
    expect(inCohort(staff, view({ user: { role: 'staff' } }))).toBe(true);
    expect(inCohort(staff, view({ user: { role: 'dev' } }))).toBe(false);
    expect(inCohort(staff, view({ user: {} }))).toBe(false);
    expect(inCohort(staff, view())).toBe(false);
  });

  it('follows a dot path', () => {
    const acme = compileCohort('acme', { user: { 'org.id': 'acme' } });
    expect(inCohort(acme, view({ user: { org: { id: 'acme' } } }))).toBe(true);
    expect(inCohort(acme, view({ user: { org: { id: 'other' } } }))).toBe(false);
    expect(inCohort(acme, view({ user: { org: null } }))).toBe(false);
    expect(inCohort(acme, view({ user: { org: 'acme' } }))).toBe(false);
    expect(inCohort(acme, view({ user: { 'org.id': 'acme' } }))).toBe(false);
  });

  it('matches an array field that contains the value', () => {
    const admins = compileCohort('admins', { user: { roles: 'admin' } });
    expect(inCohort(admins, view({ user: { roles: ['user', 'admin'] } }))).toBe(true);
    expect(inCohort(admins, view({ user: { roles: ['user'] } }))).toBe(false);
    expect(inCohort(admins, view({ user: { roles: [] } }))).toBe(false);
  });

  it('compares numbers, booleans and strings by their string form', () => {
    const byNumber = compileCohort('n', { user: { 'org.id': 42 } });
    expect(inCohort(byNumber, view({ user: { org: { id: '42' } } }))).toBe(true);
    expect(inCohort(byNumber, view({ user: { org: { id: 42 } } }))).toBe(true);
    expect(inCohort(byNumber, view({ user: { org: { id: 43 } } }))).toBe(false);
    const byString = compileCohort('s', { user: { id: ['7', '8'] } });
    expect(inCohort(byString, view({ user: { id: 8 } }))).toBe(true);
    expect(inCohort(byString, view({ user: { id: [1, 7] } }))).toBe(true);
    const byBoolean = compileCohort('b', { user: { beta: true } });
    expect(inCohort(byBoolean, view({ user: { beta: 'true' } }))).toBe(true);
    expect(inCohort(byBoolean, view({ user: { beta: false } }))).toBe(false);
  });

  it('never matches a null or missing field, even against "null" or "undefined"', () => {
    const odd = compileCohort('odd', { user: { role: ['null', 'undefined'] } });
    expect(inCohort(odd, view({ user: { role: null } }))).toBe(false);
    expect(inCohort(odd, view({ user: {} }))).toBe(false);
  });
});

describe('inCohort: several conditions', () => {
  const cohort = compileCohort('office-staff', { header: { 'x-staff': '1' }, cidr: ['10.0.0.0/8'], user: { role: 'staff' } });

  it('requires every condition', () => {
    const all = { headers: { 'x-staff': '1' }, ip: '10.0.0.1', user: { role: 'staff' } };
    expect(inCohort(cohort, view(all))).toBe(true);
    expect(inCohort(cohort, view({ ...all, headers: {} }))).toBe(false);
    expect(inCohort(cohort, view({ ...all, ip: '11.0.0.1' }))).toBe(false);
    expect(inCohort(cohort, view({ ...all, user: { role: 'dev' } }))).toBe(false);
  });
});
