/**
 * The gradebook's copy of a source notebook as the autograde steps need it. The gradebook layer's
 * SourceNotebookRecord has this shape; grading/ declares it itself because it sits below gradebook/.
 */
import type { KernelspecMetadata } from '../../notebook/index.js';

export interface SourceNotebook {
  name: string;
  kernelspec: KernelspecMetadata | null;
  gradeCells: Array<{ name: string; maxScore: number; cellType: 'code' | 'markdown' }>;
  solutionCells: string[];
  taskCells: Array<{ name: string; maxScore: number; cellType: 'code' | 'markdown' }>;
  sourceCells: Array<{
    name: string;
    cellType: 'code' | 'markdown';
    locked: boolean;
    source: string;
    checksum: string | null;
  }>;
}
