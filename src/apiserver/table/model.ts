// The shapes of a meta.k8s.io Table and of a printer: the columns one kind shows and the
// function that turns one object into the cells of its row.

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

/** One column; every field is always serialized, as upstream does (format '' and priority 0 included). */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 columns show by default; higher ones only with `kubectl get -o wide`. */
  priority: number;
}

export type Cell = string | number | boolean | null | Record<string, unknown> | unknown[];

export interface RowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PrintedRow {
  cells: Cell[];
  conditions?: RowCondition[];
}

export interface PrintContext {
  now: Date;
}

/** How one kind is shown: its columns, and the cells of one object's row in the same order. */
export interface Printer {
  columns: ColumnDefinition[];
  print(obj: Record<string, any>, ctx: PrintContext): PrintedRow;
}

/** Column builder: priority 0 unless given; format only for the name column. */
export function column(name: string, type: ColumnType, description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

/** A priority-1 column: shown only by `kubectl get -o wide`. */
export function wide(name: string, type: ColumnType, description: string): ColumnDefinition {
  return column(name, type, description, 1);
}

export const NAME = column('Name', 'string', 'Name of the object, unique among objects of its kind in its namespace.', 0, 'name');
export const AGE = column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');
export const CONTAINERS = wide('Containers', 'string', 'Names of the containers in the pod template.');
export const IMAGES = wide('Images', 'string', 'Images of the containers in the pod template.');
export const SELECTOR = wide('Selector', 'string', 'Label selector of the pods this object manages.');
