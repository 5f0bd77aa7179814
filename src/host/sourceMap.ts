// Maps between the one text the engine traces and the editor documents it came from: a file is one segment,
// a notebook's code cells are joined in order into one program, one segment per cell.

import { LineMap } from '../core/diagnostics';

/** One editor document inside the traced text. */
export interface Segment {
  /** The document's URI string (a notebook cell's URI for notebooks). */
  uri: string;
  /** 1-based line in the traced text where the document starts. */
  startLine: number;
  lineCount: number;
  /** Offset in the traced text where the document starts. */
  startOffset: number;
  length: number;
}

/** A 0-based position inside one document. */
export interface DocPosition {
  uri: string;
  line: number;
  character: number;
}

export class SourceMap {
  /** Lines and columns of the traced text (the engine's own line map). */
  private readonly lines: LineMap;

  private constructor(
    readonly text: string,
    readonly segments: readonly Segment[],
  ) {
    this.lines = new LineMap(text);
  }

  /** A single document traced as is. */
  static identity(uri: string, text: string): SourceMap {
    return new SourceMap(text, [{ uri, startLine: 1, lineCount: countLines(text), startOffset: 0, length: text.length }]);
  }

  /**
   * Joins notebook code cells into one program. IPython line magics and shell escapes (`%…`, `!…`) are blanked
   * with spaces of the same length so offsets stay put and the engine never sees them.
   */
  static concat(cells: ReadonlyArray<{ uri: string; text: string }>): SourceMap {
    const segments: Segment[] = [];
    const parts: string[] = [];
    let line = 1;
    let offset = 0;
    for (const cell of cells) {
      const text = blankMagics(cell.text);
      const lineCount = countLines(text);
      segments.push({ uri: cell.uri, startLine: line, lineCount, startOffset: offset, length: text.length });
      parts.push(text);
      line += lineCount;
      offset += text.length + 1; // the '\n' joining the cells
    }
    return new SourceMap(parts.join('\n'), segments);
  }

  /** The document position of a 1-based line and column of the traced text, or undefined outside every segment. */
  toDocument(line: number, column: number): DocPosition | undefined {
    const seg = this.segmentAtLine(line);
    if (!seg) return undefined;
    return { uri: seg.uri, line: line - seg.startLine, character: Math.max(0, column - 1) };
  }

  /** The document position of an offset into the traced text. */
  offsetToDocument(offset: number): DocPosition | undefined {
    const seg = this.segments.find((s) => offset >= s.startOffset && offset <= s.startOffset + s.length);
    if (!seg) return undefined;
    const p = this.lines.position(offset);
    return { uri: seg.uri, line: p.line - seg.startLine, character: p.column - 1 };
  }

  /** The 1-based line and column of the traced text for a 0-based document position. */
  fromDocument(uri: string, line: number, character: number): { line: number; column: number } | undefined {
    const seg = this.segments.find((s) => s.uri === uri);
    if (!seg || line >= seg.lineCount) return undefined;
    return { line: seg.startLine + line, column: character + 1 };
  }

  /** The offset in the traced text of a 0-based document position. */
  offsetOf(uri: string, line: number, character: number): number | undefined {
    const seg = this.segments.find((s) => s.uri === uri);
    if (!seg) return undefined;
    if (line >= seg.lineCount) return undefined;
    const start = this.lines.lineStart(seg.startLine + line);
    return start === undefined ? undefined : start + character;
  }

  segmentAtLine(line: number): Segment | undefined {
    return this.segments.find((s) => line >= s.startLine && line < s.startLine + s.lineCount);
  }

  /** Text of a 1-based line of the traced text. */
  lineText(line: number): string {
    return this.lines.lineText(line);
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Cell magics whose body is still Python. */
const pythonCellMagics = new Set(['%%time', '%%timeit', '%%capture', '%%prun']);

/** Replaces IPython magic and shell lines with spaces (same length); a non-Python cell magic blanks the cell. */
function blankMagics(text: string): string {
  const lines = text.split('\n');
  const first = lines[0]?.trimStart() ?? '';
  const cellMagic = first.startsWith('%%') ? first.split(/\s/, 1)[0] : undefined;
  const blankAll = cellMagic !== undefined && !pythonCellMagics.has(cellMagic);
  return lines
    .map((l) => {
      const t = l.trimStart();
      return blankAll || t.startsWith('%') || t.startsWith('!') ? ' '.repeat(l.length) : l;
    })
    .join('\n');
}
