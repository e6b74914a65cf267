/**
 * nbformat v4 types (https://nbformat.readthedocs.io/en/latest/format_description.html).
 * Multi-line strings may be stored either as one string or as a list of lines; `MultilineString`
 * keeps whichever the file had, and the writer normalises the way Python's nbformat does.
 */
export type MultilineString = string | string[];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** nbgrader's per-cell metadata, schema version 3 (`cell.metadata.nbgrader`). */
export interface NbgraderCellMetadata {
  schema_version?: number;
  grade?: boolean;
  solution?: boolean;
  locked?: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  checksum?: string;
  cell_type?: string;
  [key: string]: JsonValue | undefined;
}

export interface CellMetadata {
  nbgrader?: NbgraderCellMetadata;
  deletable?: boolean;
  editable?: boolean;
  [key: string]: JsonValue | NbgraderCellMetadata | undefined;
}

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
  [key: string]: JsonValue | undefined;
}

export type MimeBundle = { [mimeType: string]: MultilineString | JsonValue };

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: JsonObject;
  [key: string]: JsonValue | MimeBundle | undefined;
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: JsonObject;
  [key: string]: JsonValue | MimeBundle | undefined;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
  [key: string]: JsonValue | undefined;
}

export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

interface BaseCell {
  id?: string;
  source: MultilineString;
  metadata: CellMetadata;
  attachments?: JsonObject;
}

export interface CodeCell extends BaseCell {
  cell_type: 'code';
  execution_count: number | null;
  outputs: Output[];
}

export interface MarkdownCell extends BaseCell {
  cell_type: 'markdown';
}

export interface RawCell extends BaseCell {
  cell_type: 'raw';
}

export type Cell = CodeCell | MarkdownCell | RawCell;

export interface KernelspecMetadata {
  name: string;
  display_name: string;
  language?: string;
  [key: string]: JsonValue | undefined;
}

export interface NotebookMetadata {
  kernelspec?: KernelspecMetadata;
  language_info?: JsonObject;
  [key: string]: JsonValue | KernelspecMetadata | undefined;
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: NotebookMetadata;
  cells: Cell[];
}
