/** One generated input of the fuzz corpus, and what maskgrad must do with it. */
export type CaseClass = 'safetensors' | 'config' | 'image' | 'option' | 'output' | 'runtime';

export interface Case {
  class: CaseClass;
  name: string;
  /** The command line (paths inside the sandbox). */
  argv: string[];
  /** 2: refused as bad input; 1: stopped while running; 0: done. */
  exit: 0 | 1 | 2;
  /** What the one-line message must name (a path, a key, a flag), for exit 1 and 2. */
  culprit?: string;
  /** For exit 0: the folder that must hold a whole result afterwards (nothing else may change). */
  out?: string;
}
