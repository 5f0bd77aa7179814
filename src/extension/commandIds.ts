// Every command id, once. package.json declares the same ids (tensorTrace.<verb><Object>, category "Tensor Trace").

export const CommandId = {
  TraceFile: 'tensorTrace.traceFile',
  TraceModule: 'tensorTrace.traceModule',
  SetInputShape: 'tensorTrace.setInputShape',
  ShowPanel: 'tensorTrace.showPanel',
  OpenPanelBeside: 'tensorTrace.openPanelBeside',
  RunNumericTrace: 'tensorTrace.runNumericTrace',
  CompareWithoutSkips: 'tensorTrace.compareWithoutSkips',
  SelectBackend: 'tensorTrace.selectBackend',
  ExportTrace: 'tensorTrace.exportTrace',
  ToggleInlineHints: 'tensorTrace.toggleInlineHints',
  OpenExample: 'tensorTrace.openExample',
  // Internal, hidden from the palette.
  RevealLocation: 'tensorTrace.revealLocation',
  GetPanelStateForTests: 'tensorTrace.getPanelStateForTests',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** The view and panel ids (package.json `views` and the WebviewPanel serializer). */
export const ViewId = {
  Container: 'tensorTrace',
  PanelView: 'tensorTrace.panelView',
  /** viewType of the beside-the-editor WebviewPanel. */
  PanelEditor: 'tensorTrace.panel',
} as const;
