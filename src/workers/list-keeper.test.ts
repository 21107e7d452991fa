import { describe, expect, it } from 'vitest';
import type { BuiltList } from '#core/filelists/types';
import { ListKeeper } from './file-lists';

const built = (kind: BuiltList['kind'], fileName: string, cell: string): BuiltList =>
  ({
    kind,
    title: kind,
    fileName,
    format: 'csv',
    bom: false,
    table: { columns: ['path'], rows: [[cell]] },
    problems: [],
    notes: [],
  }) as unknown as BuiltList;

describe('ListKeeper', () => {
  it('saves the last list of the kind asked for, whatever was built since', async () => {
    const keeper = new ListKeeper();
    keeper.keep(built('receipt', 'b-receipt.csv', 'a.jpg'), [], 'b');
    // The page rebuilds the list it shows while the receipt is being saved.
    keeper.keep(built('bia-file-list', 'b-file-list.tsv', 'b.jpg'), [], 'b');
    const receipt = keeper.download('receipt');
    expect(receipt?.fileName).toBe('b-receipt.csv');
    expect(await receipt?.blob.text()).toContain('a.jpg');
    expect(keeper.download('bia-file-list')?.fileName).toBe('b-file-list.tsv');
  });

  it('has nothing to save of a kind not built, or once the folder is forgotten', () => {
    const keeper = new ListKeeper();
    expect(keeper.download('receipt')).toBeUndefined();
    keeper.keep(built('receipt', 'b-receipt.csv', 'a.jpg'), [], 'b');
    keeper.forget();
    expect(keeper.download('receipt')).toBeUndefined();
  });

  it('tells the page how many rows are incomplete, and the first file of the list', () => {
    const keeper = new ListKeeper();
    const complete = keeper.keep(built('receipt', 'b-receipt.csv', 'a.jpg'), [], 'b');
    expect(complete.incompleteRows).toBe(0);
    expect(complete.firstFile).toBeUndefined();
    const partial = keeper.keep(
      {
        ...built('bia-annotations', 'b-annotations-masks.tsv', 'm/a.png'),
        incompleteRows: 1,
        firstFile: 'm/a.png',
      },
      [],
      'b',
    );
    expect(partial.incompleteRows).toBe(1);
    expect(partial.firstFile).toBe('m/a.png');
  });
});
