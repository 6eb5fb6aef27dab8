import en from '../src/i18n/en.json';
import zh from '../src/i18n/zh.json';

type Texts = { [key: string]: string | Texts };

/** The text at a key path. */
const textAt = (tree: Texts, key: string): string =>
  key.split('.').reduce<string | Texts>((node, part) => (node as Texts)[part]!, tree) as string;

/** Every key path of a translation file, e.g. support.status.closed. */
function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('the Chinese and English texts', () => {
  it('cover the same screens: no text shows in English only or in Chinese only', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });

  it('leave no Chinese text empty or still in English', () => {
    const untranslated = keys(zh).filter((k) => {
      const text = textAt(zh, k);
      return (
        text.trim() === '' ||
        (text === textAt(en, k) && /[a-z]{3}/i.test(text) && text !== 'CRM' && text !== 'SLA')
      );
    });
    expect(untranslated).toEqual([]);
  });
});
