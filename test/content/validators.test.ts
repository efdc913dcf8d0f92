import { compileValidator, maskValue, parseDate } from '../../src/content/validators';
import { content, NOW } from '../support/helpers';

const validator = (name: string) => content().validators[name]!;

describe('reading dates as candidates type them', () => {
  it.each([
    ['14/06/2025', '2025-06-14'],
    ['14.06.2025', '2025-06-14'],
    ['14-6-25', '2025-06-14'],
    ['2025-06-14', '2025-06-14'],
    ['14 June 2025', '2025-06-14'],
    ['June 14, 2025', '2025-06-14'],
    ['14th June 2025', '2025-06-14'],
    ['14 de junio de 2025', '2025-06-14'],
    ['14 giugno 2025', '2025-06-14'],
    ['14 juin 2025', '2025-06-14'],
    ['14. Juni 2025', '2025-06-14'],
    ['12. März 2025', '2025-03-12'],
    ['12 marz 2025', '2025-03-12'],
    ['1er février 2025', '2025-02-01'],
    ['3 sept. 2024', '2024-09-03'],
    ['the 12th of March 2025', '2025-03-12'],
    // Without a year: the latest such day up to today (10 March 2026), since the exam was in the past.
    ['12 marzo', '2025-03-12'],
    ['1 mars', '2026-03-01'],
    ['14/06', '2025-06-14'],
    ['March 2', '2026-03-02'],
    // With the article people put before a date, and month/day when the order can only be that.
    ['el 12 de marzo', '2025-03-12'],
    ['le 12 mars', '2025-03-12'],
    ['am 12. März', '2025-03-12'],
    ['il 12 marzo 2025', '2025-03-12'],
    ['on the 12th of March', '2025-03-12'],
    ["l'11 marzo", '2025-03-11'],
    ['06/14/2025', '2025-06-14'],
    ['12/31/24', '2024-12-31'],
  ])('reads %s', (typed, iso) => {
    expect(parseDate(typed, NOW)).toBe(iso);
  });

  it.each([
    '31/02/2025',
    '13/13/2025',
    '32/12/2025',
    'le 32 mars',
    '00/01/2025',
    '14 Juno 2025',
    'yesterday',
    '14/13',
    '',
    '99999999',
  ])('refuses %s', (typed) => {
    expect(parseDate(typed, NOW)).toBeNull();
  });

  it.each(['31.02.2025', '30/02/2025', '29.02.2025', '31-04-2025', '31 avril 2025', '2025-02-30'])(
    'says %s is a day that does not exist, not that it could not read it',
    (typed) => {
      expect(validator('examDate').validate(typed, NOW)).toEqual({ ok: false, error: 'validation.examDateNoSuchDay' });
    },
  );

  it('refuses a date in the future and one from before the earliest year, with their own reasons', () => {
    expect(validator('examDate').validate('01/01/2027', NOW)).toEqual({
      ok: false,
      error: 'validation.examDateFuture',
    });
    expect(validator('examDate').validate('01/01/1985', NOW)).toEqual({
      ok: false,
      error: 'validation.examDateTooOld',
    });
    expect(validator('examDate').validate('14 Juno 2025', NOW)).toEqual({ ok: false, error: 'validation.examDate' });
    expect(validator('examDate').validate('10/03/2026', NOW)).toEqual({ ok: true, value: '2026-03-10' });
  });
});

describe('ID and secret numbers', () => {
  it('accepts an ID number typed with spaces, dashes or in lower case, and keeps it in one form', () => {
    for (const typed of ['SIR094701', 'sir094701', ' SIR 094 701 ', 'SIR-094701']) {
      expect(validator('idNumber').validate(typed, NOW)).toEqual({ ok: true, value: 'SIR094701' });
    }
  });

  it.each(['094701', 'SIRSIR', 'SIR0947011234567', '<b>SIR094701</b>', '💥💥💥', ''])(
    'refuses %s as an ID number',
    (typed) => {
      expect(validator('idNumber').validate(typed, NOW)).toEqual({ ok: false, error: 'validation.idNumber' });
    },
  );

  it('takes a secret number of exactly four digits', () => {
    expect(validator('secretNumber').validate(' 8482 ', NOW)).toEqual({ ok: true, value: '8482' });
    for (const typed of ['848', '84821', 'abcd', '84 8']) {
      expect(validator('secretNumber').validate(typed, NOW)).toEqual({ ok: false, error: 'validation.secretNumber' });
    }
  });

  it('masks values shown back', () => {
    expect(maskValue('8482', 'full')).toBe('••••');
    expect(maskValue('SIR094701', 'partial')).toBe('SIR••••01');
    expect(maskValue('Jane Doe', 'none')).toBe('Jane Doe');
  });
});

describe('free text answers', () => {
  const fullName = compileValidator({
    kind: 'text',
    minLength: 2,
    maxLength: 20,
    letters: true,
    mask: 'none',
    error: 'e',
  });

  it('tidies spaces and invisible characters', () => {
    expect(fullName.validate('  María\u200b  José\tPérez ', NOW)).toEqual({ ok: true, value: 'María José Pérez' });
  });

  it('refuses answers without letters, too short or too long', () => {
    for (const typed of ['1234', '😀😀', 'A', 'x'.repeat(21), '   '])
      expect(fullName.validate(typed, NOW).ok).toBe(false);
  });
});
