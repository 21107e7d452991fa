/**
 * The file lists of the Prepare step: which one is shown, its options, and its preview. Lists are built in the
 * folder worker from the last check; the page holds only the preview (a few rows, the problems and notes), and a
 * newer build makes an older answer stale ("latest wins"), as with the check.
 */
import { parseFieldLines } from '#core/filelists/field-lines';
import { configName } from '#core/profiles/deriva';
import { listsFor, type ListKindInfo } from '#core/filelists/registry';
import {
  EXAMPLE_ANNOTATION,
  EXAMPLE_TEMPLATE,
  templateExample,
  type TemplateExample,
} from '#core/filelists/source-template';
import type { AnnotationSet, AnnotationType, BagName, FileListKind } from '#core/filelists/types';
import { formatCount, plural } from '#core/format';
import { CSV_FILE, saveFile, TSV_FILE, ZIP_FILE } from '../../platform/download';
import {
  packColumn,
  type CopiesText,
  type ExtraColumnsText,
  type FolderWorker,
  type ListBuildRequest,
  type ListPreview,
  type ListRequestFromPage,
} from '../../workers/folder-bridge';
import type { Announcer } from './announcer.svelte';
import type { CheckState } from './check.svelte';
import type { ChecksumState } from './checksums.svelte';
import type { FolderState } from './folder.svelte';
import type { UploadState } from './upload.svelte';

export type ListPhase = 'idle' | 'building' | 'ready' | 'failed';

/** An annotation set as the form edits it: every way of linking kept, so switching back loses nothing. */
export interface AnnotationDraft {
  name: string;
  select: string;
  types: AnnotationType[];
  link: 'same-name' | 'suffix' | 'template';
  suffixes: string;
  template: string;
}

export function newAnnotationDraft(n: number): AnnotationDraft {
  return {
    name: n === 1 ? 'masks' : `annotations-${n}`,
    select: '',
    types: ['segmentation_mask'],
    link: 'suffix',
    suffixes: '_mask, _labels',
    template: EXAMPLE_TEMPLATE,
  };
}

function annotationSet(draft: Readonly<AnnotationDraft>): AnnotationSet {
  const link =
    draft.link === 'suffix'
      ? { kind: 'suffix' as const, suffixes: draft.suffixes }
      : draft.link === 'template'
        ? { kind: 'template' as const, template: draft.template, suffixes: draft.suffixes }
        : { kind: 'same-name' as const };
  return { name: draft.name.trim(), select: draft.select.trim(), types: [...draft.types], link };
}

export class ListsState {
  #chosen = $state<FileListKind | null>(null);
  #phase = $state<ListPhase>('idle');
  #preview = $state.raw<ListPreview | null>(null);
  #error = $state('');
  /** Replaced whole on every change (see patchAnnotationSet), never changed in place. */
  #annotations = $state.raw<readonly Readonly<AnnotationDraft>[]>([]);
  /** The pending build (see #inputsChanged). */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** What the pending or last build was for, to tell a change that needs a new one. */
  #scheduledKey = '';
  #scheduledExtra: ExtraColumnsText | null = null;
  #annotationIndex = $state(0);
  #extraColumns = $state.raw<ExtraColumnsText | null>(null);
  #request = 0;
  /** Downloads asked for while the shown list was being built again: each waits for the new one. */
  readonly #waiting: ((preview: ListPreview | null) => void)[] = [];
  readonly #folder: FolderState;
  readonly #check: CheckState;
  readonly #checksums: ChecksumState;
  readonly #upload: UploadState;
  readonly #announcer: Announcer;

  /** The list the user picked; {@link ListsState.kind} falls back to the target's first when it does not apply. */
  /** None until the user adds one: a set the user never asked for must not take files out of the file list. */
  get annotations(): readonly Readonly<AnnotationDraft>[] {
    return this.#annotations;
  }

  get chosen(): FileListKind | null {
    return this.#chosen;
  }

  get phase(): ListPhase {
    return this.#phase;
  }

  get preview(): ListPreview | null {
    return this.#preview;
  }

  get error(): string {
    return this.#error;
  }

  /** Which annotation set the annotations list shows. */
  get annotationIndex(): number {
    return this.#annotationIndex;
  }

  /** A table of extra columns keyed by path, merged into the BioImage Archive file list. */
  get extraColumns(): ExtraColumnsText | null {
    return this.#extraColumns;
  }

  constructor(
    folder: FolderState,
    check: CheckState,
    checksums: ChecksumState,
    upload: UploadState,
    announcer: Announcer,
  ) {
    this.#folder = folder;
    this.#check = check;
    this.#checksums = checksums;
    this.#upload = upload;
    this.#announcer = announcer;
    const changed = () => this.#inputsChanged();
    check.onChange(changed);
    checksums.onComputed(changed);
    upload.onBatchChange(changed);
    folder.onCopiesChange(changed);
  }

  get available(): readonly ListKindInfo[] {
    return listsFor(this.#check.target);
  }

  get kind(): FileListKind {
    const available = this.available;
    const chosen = available.find((info) => info.kind === this.#chosen);
    return (chosen ?? available[0])?.kind ?? 'manifest';
  }

  get info(): ListKindInfo | undefined {
    return this.available.find((info) => info.kind === this.kind);
  }

  /** The request for the shown list, or null when there is nothing to build (an annotations list without a set). */
  get request(): ListBuildRequest | null {
    const list = this.#listRequest();
    if (!list) return null;
    return { list, includeErrors: this.#check.allowErrors, batch: this.#upload.batch };
  }

  /**
   * Builds the shown list again, debounced, when anything it depends on changed: its options, the target's
   * settings, the last check, the checksums, the arrivals and the web copies. Nothing is built before the
   * folder is checked.
   */
  #inputsChanged(): void {
    if (this.#folder.phase !== 'ready' || this.#check.phase !== 'done') {
      clearTimeout(this.#timer);
      return;
    }
    const request = this.request;
    if (!request) {
      this.reset();
      return;
    }
    // The extra columns table may be large: it is compared by identity, not as text.
    const key = JSON.stringify(
      [
        request,
        this.#check.revision,
        this.#checksums.revision,
        this.#upload.arrivalCount,
        this.#folder.copiesRevision,
      ],
      (name, value: unknown) => (name === 'extraColumns' ? undefined : value),
    );
    if (key === this.#scheduledKey && this.#extraColumns === this.#scheduledExtra) return;
    this.#scheduledKey = key;
    this.#scheduledExtra = this.#extraColumns;
    // The shown list is out of date from now until the new one is built: no download of the old one.
    this.#phase = 'building';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.build(request), 200);
  }

  #listRequest(): ListRequestFromPage | null {
    const kind = this.kind;
    const symbiota = this.#check.settings.symbiota;
    switch (kind) {
      case 'bia-file-list': {
        const options = {
          template: this.#check.settings.bia.pathTemplate,
          annotationSets: this.#annotations.map(annotationSet),
        };
        return {
          kind,
          options: this.#extraColumns ? { ...options, extraColumns: this.#extraColumns } : options,
        };
      }
      case 'bia-annotations': {
        const draft = this.#annotations[this.#annotationIndex];
        return draft ? { kind, options: annotationSet(draft) } : null;
      }
      case 'symbiota-field-map':
        return { kind, options: { baseUrl: symbiota.publicBaseUrl } };
      case 'symbiota-skeletal':
        return { kind, options: { fields: parseFieldLines(symbiota.newRecordFields).fields } };
      case 'dwc-multimedia':
        return {
          kind,
          options: {
            baseUrl: symbiota.publicBaseUrl,
            rights: symbiota.mediaRights,
            owner: symbiota.mediaOwner,
            creator: symbiota.mediaCreator,
          },
        };
      case 'deriva-plan': {
        const deriva = this.#check.settings.deriva;
        return {
          kind,
          options: { config: deriva.config, configName: configName(deriva), folderName: this.#folder.name },
        };
      }
      default:
        return { kind };
    }
  }

  /**
   * What the shown set's source template reads in its first annotation (or, before the set selects any, in
   * {@link EXAMPLE_ANNOTATION}), and where it looks for the source.
   */
  get templateExample(): (TemplateExample & { readonly own: boolean }) | undefined {
    const draft = this.#annotations[this.#annotationIndex];
    if (!draft || draft.link !== 'template') return undefined;
    const first = this.#preview?.kind === 'bia-annotations' ? this.#preview.firstFile : undefined;
    if (first === undefined) {
      const { select, path } = EXAMPLE_ANNOTATION;
      return { ...templateExample(draft.template, draft.suffixes, select, path), own: false };
    }
    return { ...templateExample(draft.template, draft.suffixes, draft.select, first), own: true };
  }

  /** "3 of 8 rows" when rows of the shown list lack a value the repository requires, else ''. */
  get incompleteRows(): string {
    const p = this.#preview;
    if (!p || p.incompleteRows === 0) return '';
    return `${formatCount(p.incompleteRows)} of ${plural(p.rowCount, 'row')}`;
  }

  /** Problems with the typed fields of new records, which the worker never sees as text. */
  get fieldLineProblems(): readonly string[] {
    if (this.kind !== 'symbiota-skeletal') return [];
    return parseFieldLines(this.#check.settings.symbiota.newRecordFields).problems.map((p) => p.message);
  }

  /** Forgets the shown preview: a new folder was picked, or there is nothing to build. */
  reset(): void {
    clearTimeout(this.#timer);
    this.#scheduledKey = '';
    this.#request += 1;
    this.#phase = 'idle';
    this.#preview = null;
    this.#error = '';
    this.#settle();
  }

  /** Shows the list of `kind`; the target's first is shown when it does not apply. */
  choose(kind: FileListKind): void {
    this.#chosen = kind;
    this.#inputsChanged();
  }

  /** A table of extra columns keyed by path, or null to remove it. */
  setExtraColumns(table: ExtraColumnsText | null): void {
    this.#extraColumns = table;
    this.#inputsChanged();
  }

  /** Which annotation set the annotations list shows. */
  showAnnotationSet(index: number): void {
    this.#annotationIndex = index;
    this.#inputsChanged();
  }

  addAnnotationSet(): void {
    this.#annotations = [...this.#annotations, newAnnotationDraft(this.#annotations.length + 1)];
    this.#annotationIndex = this.#annotations.length - 1;
    this.#inputsChanged();
  }

  patchAnnotationSet(index: number, patch: Partial<AnnotationDraft>): void {
    this.#annotations = this.#annotations.map((draft, i) => (i === index ? { ...draft, ...patch } : draft));
    this.#inputsChanged();
  }

  removeAnnotationSet(index: number): void {
    this.#annotations = this.#annotations.filter((_, i) => i !== index);
    this.#annotationIndex = Math.max(0, Math.min(this.#annotationIndex, this.#annotations.length - 1));
    this.#inputsChanged();
  }

  async build(request: ListBuildRequest): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#folder.phase !== 'ready' || this.#check.phase !== 'done') return;
    const id = ++this.#request;
    this.#phase = 'building';
    this.#error = '';
    const started = performance.now();
    try {
      const preview = await this.#buildInWorker(worker, request);
      if (id !== this.#request) return;
      performance.measure('file-list', {
        start: started,
        detail: { kind: preview.kind, rows: preview.rowCount },
      });
      this.#preview = preview;
      this.#phase = 'ready';
    } catch (error) {
      if (id !== this.#request) return;
      this.#phase = 'failed';
      this.#error = `The ${this.info?.label ?? 'list'} could not be built: ${error instanceof Error ? error.message : String(error)} Pick the folder again.`;
    }
    this.#settle();
  }

  /**
   * Download can be pressed: the shown list is built and can be written, or it is being built again (the barcodes
   * just read, a field typed), and the click then saves the new one once it is built rather than being lost.
   */
  get canSave(): boolean {
    if (this.#phase === 'building') return true;
    const p = this.#preview;
    return this.#phase === 'ready' && p !== null && p.kind === this.kind && p.unwritable.length === 0;
  }

  /** The shown list once it is up to date: at once when built, after the pending build otherwise; null if none. */
  #upToDate(): Promise<ListPreview | null> {
    if (this.#phase !== 'building') return Promise.resolve(this.#phase === 'ready' ? this.#preview : null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #settle(): void {
    const preview = this.#phase === 'ready' ? this.#preview : null;
    for (const resolve of this.#waiting.splice(0)) resolve(preview);
  }

  async download(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker) return;
    const preview = await this.#upToDate();
    // A build that failed says why in the panel already.
    if (!preview) return;
    const [unwritable] = preview.unwritable;
    if (unwritable !== undefined) {
      this.#error = unwritable;
      return;
    }
    try {
      const fileName = await this.#saveLastBuilt(worker, preview.kind);
      if (!fileName) return;
      const errors = preview.problems.filter((p) => p.status === 'error').length;
      const incomplete =
        preview.incompleteRows > 0 ? `, ${formatCount(preview.incompleteRows)} of them incomplete` : '';
      this.#announcer.say(
        `${preview.title} saved as ${fileName}: ${plural(preview.rowCount, 'row')}${incomplete}${errors > 0 ? `, with ${plural(errors, 'error')} to fix` : ''}.`,
      );
    } catch (error) {
      this.#error = `The list could not be saved: ${error instanceof Error ? error.message : String(error)} Try again, or choose another folder to save it in.`;
    }
  }

  /**
   * Saves the receipt of the upload, built on its own: the worker keeps it apart from the list shown, so that list
   * stays as it is.
   */
  async downloadReceipt(): Promise<void> {
    const worker = this.#folder.worker;
    if (!worker || this.#check.phase !== 'done') return;
    try {
      const preview = await this.#buildInWorker(worker, {
        list: { kind: 'receipt' },
        includeErrors: this.#check.allowErrors,
        batch: this.#upload.batch,
        ...this.#bag(),
      });
      const fileName = await this.#saveLastBuilt(worker, 'receipt');
      if (fileName) this.#announcer.say(`Receipt saved as ${fileName}: ${plural(preview.rowCount, 'file')}.`);
    } catch (error) {
      this.#error = `The receipt could not be saved: ${error instanceof Error ? error.message : String(error)} Try again, or choose another folder to save it in.`;
      this.#announcer.say(this.#error);
    }
  }

  /** The bag of the completed batch, for the receipt to name. */
  #bag(): { bag?: BagName } {
    const state = this.#upload.completion?.state;
    return state ? { bag: { bag: state.bag, version: state.version, payloadOxum: state.payloadOxum } } : {};
  }

  /** Builds a list in the worker with what the upload and the web copies know now. */
  #buildInWorker(worker: FolderWorker, request: ListBuildRequest): Promise<ListPreview> {
    // Handed over here, once per build, rather than in the request an effect reads on every keystroke; the worker
    // takes it in before the build, as it answers in order.
    const arrivals = this.#upload.arrivalsFor(worker);
    if (arrivals) void worker.keepArrivals(arrivals).catch(() => undefined);
    const copies = this.#copies();
    return worker.buildList({ ...request, ...(copies ? { copies } : {}) });
  }

  /** Saves the list of `kind` the worker built last; returns its file name, or null when nothing was saved. */
  async #saveLastBuilt(worker: FolderWorker, kind: FileListKind): Promise<string | null> {
    const file = await worker.saveList(kind);
    if (!file) return null;
    const type = file.format === 'zip' ? ZIP_FILE : file.format === 'tsv' ? TSV_FILE : CSV_FILE;
    return (await saveFile(file.blob, file.fileName, type)) === 'saved' ? file.fileName : null;
  }

  /**
   * The web copies that travel and the originals they leave home, packed for the folder worker. They are read
   * from the upload's rows, which a resumed batch gets back too.
   */
  #copies(): CopiesText | undefined {
    const { copies, held } = this.#folder.travelling();
    if (copies.length === 0) return undefined;
    return {
      paths: packColumn(copies, (copy) => copy.name),
      sizes: packColumn(copies, (copy) => copy.bytes),
      copyOf: packColumn(copies, (copy) => copy.copyOf),
      roles: packColumn(copies, (copy) => copy.role),
      leftHome: packColumn(held, (original) => original.path),
    };
  }

  /** "1,234 rows · 3 incomplete · 3 errors · 1 warning". */
  get headline(): string {
    const p = this.#preview;
    if (!p) return '';
    const errors = p.problems.filter((x) => x.status === 'error').length;
    const warnings = p.problems.length - errors;
    const parts = [`${formatCount(p.rowCount)} ${p.rowCount === 1 ? 'row' : 'rows'}`];
    if (p.incompleteRows > 0) parts.push(`${formatCount(p.incompleteRows)} incomplete`);
    if (errors > 0) parts.push(plural(errors, 'error'));
    if (warnings > 0) parts.push(plural(warnings, 'warning'));
    return parts.join(' · ');
  }
}
