/**
 * A table the user chose through a file input (a record list, extra columns), read as text. The input is cleared,
 * so choosing the same file again after editing it reads it again.
 */
export type ChosenText = { readonly name: string; readonly text: string } | { readonly problem: string };

/** The chosen file's name and text, a sentence saying why it could not be read, or null when none was chosen. */
export async function readChosenTable(
  input: HTMLInputElement,
  saveAs = 'CSV or TSV',
): Promise<ChosenText | null> {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return null;
  try {
    return { name: file.name, text: await file.text() };
  } catch (error) {
    return {
      problem: `"${file.name}" could not be read (${error instanceof Error ? error.name : String(error)}). Save it again as ${saveAs} and choose it again.`,
    };
  }
}
