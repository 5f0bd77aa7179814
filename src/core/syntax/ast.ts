// The engine's own Python AST: a union keyed by `kind`, every node carrying its exact source span.
// Built once from the lezer tree (see parse.ts); the interpreter and every diagnostic read only this.

/** Half-open character range [start, end) in the source text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

interface NodeBase extends Span {}

// ---------------------------------------------------------------- expressions

export interface Name extends NodeBase { kind: 'Name'; id: string }
export interface Constant extends NodeBase {
  kind: 'Constant';
  /** int → value is a JS number (or bigint-safe number), float → `isFloat` is true. */
  value: number | string | boolean | null;
  isFloat?: boolean;
  /** `...` */
  isEllipsis?: boolean;
  /** b'...' literals */
  isBytes?: boolean;
  /** 1j */
  isImaginary?: boolean;
}
/** f-string: literal parts and formatted values in order. */
export interface JoinedStr extends NodeBase { kind: 'JoinedStr'; parts: Array<string | FormattedValue> }
export interface FormattedValue extends NodeBase {
  kind: 'FormattedValue';
  value: Expr;
  /** 'r' | 's' | 'a' for !r / !s / !a */
  conversion?: 'r' | 's' | 'a';
  /** Format spec after ':' (may itself contain nested fields). */
  formatSpec?: JoinedStr;
  /** f"{x=}" debugging form: the literal text "x=" to print before the value. */
  selfDoc?: string;
}
export interface Attribute extends NodeBase { kind: 'Attribute'; value: Expr; attr: string; attrSpan: Span }
export interface Subscript extends NodeBase { kind: 'Subscript'; value: Expr; index: Expr }
export interface Slice extends NodeBase { kind: 'Slice'; lower?: Expr; upper?: Expr; step?: Expr }
export interface Starred extends NodeBase { kind: 'Starred'; value: Expr }
export interface Keyword extends NodeBase {
  kind: 'Keyword';
  /** undefined for `**kwargs` */
  name?: string;
  value: Expr;
}
export interface Call extends NodeBase {
  kind: 'Call';
  func: Expr;
  /** Positional args; `*xs` appear as Starred. */
  args: Expr[];
  keywords: Keyword[];
}
export type BinOperator =
  | '+' | '-' | '*' | '/' | '//' | '%' | '**' | '@' | '<<' | '>>' | '&' | '|' | '^';
export interface BinOp extends NodeBase { kind: 'BinOp'; op: BinOperator; left: Expr; right: Expr; opSpan: Span }
export interface UnaryOp extends NodeBase { kind: 'UnaryOp'; op: '-' | '+' | '~' | 'not'; operand: Expr }
export interface BoolOp extends NodeBase { kind: 'BoolOp'; op: 'and' | 'or'; values: Expr[] }
export type CmpOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'is' | 'is not' | 'in' | 'not in';
export interface Compare extends NodeBase { kind: 'Compare'; left: Expr; ops: CmpOperator[]; comparators: Expr[] }
export interface IfExp extends NodeBase { kind: 'IfExp'; test: Expr; body: Expr; orelse: Expr }
export interface Lambda extends NodeBase { kind: 'Lambda'; params: Parameters; body: Expr }
export interface NamedExpr extends NodeBase { kind: 'NamedExpr'; target: Name; value: Expr }
export interface TupleExpr extends NodeBase { kind: 'Tuple'; elts: Expr[] }
export interface ListExpr extends NodeBase { kind: 'List'; elts: Expr[] }
export interface SetExpr extends NodeBase { kind: 'Set'; elts: Expr[] }
export interface DictExpr extends NodeBase {
  kind: 'Dict';
  /** key undefined means `**mapping` unpacking. */
  entries: Array<{ key?: Expr; value: Expr }>;
}
export interface Comprehension extends Span {
  target: Expr;
  iter: Expr;
  ifs: Expr[];
  isAsync?: boolean;
}
export interface ListComp extends NodeBase { kind: 'ListComp'; elt: Expr; generators: Comprehension[] }
export interface SetComp extends NodeBase { kind: 'SetComp'; elt: Expr; generators: Comprehension[] }
export interface GeneratorExp extends NodeBase { kind: 'GeneratorExp'; elt: Expr; generators: Comprehension[] }
export interface DictComp extends NodeBase { kind: 'DictComp'; key: Expr; value: Expr; generators: Comprehension[] }
export interface Await extends NodeBase { kind: 'Await'; value: Expr }
export interface Yield extends NodeBase { kind: 'Yield'; value?: Expr; isFrom?: boolean }
/** A piece of source the parser could not read; evaluating it raises a SyntaxError diagnostic. */
export interface ErrorExpr extends NodeBase { kind: 'ErrorExpr'; message: string }

export type Expr =
  | Name | Constant | JoinedStr | FormattedValue | Attribute | Subscript | Slice | Starred | Call
  | BinOp | UnaryOp | BoolOp | Compare | IfExp | Lambda | NamedExpr | TupleExpr | ListExpr | SetExpr
  | DictExpr | ListComp | SetComp | GeneratorExp | DictComp | Await | Yield | ErrorExpr;

// ---------------------------------------------------------------- parameters

export interface Param extends Span {
  name: string;
  nameSpan: Span;
  annotation?: Expr;
  default?: Expr;
}
/** def f(a, b=1, /, c=2, *args, d, e=3, **kwargs) */
export interface Parameters extends Span {
  posOnly: Param[];
  args: Param[];
  vararg?: Param;
  kwOnly: Param[];
  kwarg?: Param;
}

// ---------------------------------------------------------------- statements

export interface ExprStmt extends NodeBase { kind: 'ExprStmt'; value: Expr }
export interface Assign extends NodeBase {
  kind: 'Assign';
  /** a = b = value → two targets. */
  targets: Expr[];
  value: Expr;
}
export interface AugAssign extends NodeBase { kind: 'AugAssign'; target: Expr; op: BinOperator; value: Expr; opSpan: Span }
export interface AnnAssign extends NodeBase { kind: 'AnnAssign'; target: Expr; annotation: Expr; value?: Expr }
export interface FunctionDef extends NodeBase {
  kind: 'FunctionDef';
  name: string;
  nameSpan: Span;
  params: Parameters;
  body: Stmt[];
  decorators: Expr[];
  returns?: Expr;
  isAsync?: boolean;
  /** true when the body contains `yield` (a generator function). */
  isGenerator?: boolean;
}
export interface ClassDef extends NodeBase {
  kind: 'ClassDef';
  name: string;
  nameSpan: Span;
  bases: Expr[];
  keywords: Keyword[];
  body: Stmt[];
  decorators: Expr[];
}
export interface Return extends NodeBase { kind: 'Return'; value?: Expr }
export interface Delete extends NodeBase { kind: 'Delete'; targets: Expr[] }
export interface Pass extends NodeBase { kind: 'Pass' }
export interface Break extends NodeBase { kind: 'Break' }
export interface Continue extends NodeBase { kind: 'Continue' }
export interface If extends NodeBase { kind: 'If'; test: Expr; body: Stmt[]; orelse: Stmt[] }
export interface While extends NodeBase { kind: 'While'; test: Expr; body: Stmt[]; orelse: Stmt[] }
export interface For extends NodeBase { kind: 'For'; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[]; isAsync?: boolean }
export interface WithItem extends Span { contextExpr: Expr; optionalVars?: Expr }
export interface With extends NodeBase { kind: 'With'; items: WithItem[]; body: Stmt[]; isAsync?: boolean }
export interface ExceptHandler extends Span {
  /** undefined for bare `except:` */
  type?: Expr;
  name?: string;
  body: Stmt[];
}
export interface Try extends NodeBase {
  kind: 'Try';
  body: Stmt[];
  handlers: ExceptHandler[];
  orelse: Stmt[];
  finalbody: Stmt[];
}
export interface Raise extends NodeBase { kind: 'Raise'; exc?: Expr; cause?: Expr }
export interface Assert extends NodeBase { kind: 'Assert'; test: Expr; msg?: Expr }
export interface ImportAlias extends Span { name: string; asname?: string }
/** import a.b.c as d */
export interface Import extends NodeBase { kind: 'Import'; names: ImportAlias[] }
/** from ..a.b import c as d; `module` is '' for `from . import x`; names [{name:'*'}] for star. */
export interface ImportFrom extends NodeBase { kind: 'ImportFrom'; module: string; level: number; names: ImportAlias[] }
export interface Global extends NodeBase { kind: 'Global'; names: string[] }
export interface Nonlocal extends NodeBase { kind: 'Nonlocal'; names: string[] }
/** A statement the parser could not read (syntax error). Executing it raises a SyntaxError diagnostic. */
export interface ErrorStmt extends NodeBase { kind: 'ErrorStmt'; message: string }
/** A construct that parses but the interpreter does not support (match, async…); reported as Information. */
export interface UnsupportedStmt extends NodeBase { kind: 'UnsupportedStmt'; construct: string }

export type Stmt =
  | ExprStmt | Assign | AugAssign | AnnAssign | FunctionDef | ClassDef | Return | Delete | Pass | Break
  | Continue | If | While | For | With | Try | Raise | Assert | Import | ImportFrom | Global | Nonlocal
  | ErrorStmt | UnsupportedStmt;

export interface Module extends Span {
  kind: 'Module';
  body: Stmt[];
  /** Every syntax error the parser recovered from, in source order. */
  syntaxErrors: Array<{ message: string; span: Span }>;
}

export type Node = Expr | Stmt | Module;
