// The getting-started walkthrough's command: Open Residual Block Example opens the bundled
// examples/residual_block.py as an untitled copy, so the user can edit it freely and nothing is written to disk.

import * as vscode from 'vscode';
import { CommandId } from './commandIds';
import type { Ctx } from './context';

/** The example, relative to the extension folder (.vscodeignore re-includes it into the package). */
export const examplePath = ['examples', 'residual_block.py'] as const;

/** Registers tensorTrace.openExample on the disposal root. */
export function registerWalkthrough(ctx: Ctx): void {
  const example = new ExampleOpener(ctx.extension.extensionUri);
  ctx.add(vscode.commands.registerCommand(CommandId.OpenExample, () => example.open()));
}

class ExampleOpener {
  /** The copy opened last; shown again while it is open rather than opening a second one. */
  private doc: vscode.TextDocument | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Opens (or re-shows) the untitled copy beside the walkthrough; returns its URI for tests and other callers. */
  async open(): Promise<string | undefined> {
    if (!this.doc || this.doc.isClosed) {
      const source = vscode.Uri.joinPath(this.extensionUri, ...examplePath);
      let content: string;
      try {
        content = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
      } catch (e) {
        void vscode.window.showErrorMessage(`Tensor Trace: cannot read the example ${source.fsPath}: ${(e as Error).message}`);
        return undefined;
      }
      // An untitled document without an associated path: saving it asks where, so no file is written unasked.
      this.doc = await vscode.workspace.openTextDocument({ language: 'python', content });
    }
    // From the walkthrough (no text editor active): beside it, so the steps and the traced code show together.
    const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside;
    await vscode.window.showTextDocument(this.doc, { viewColumn, preview: false });
    return this.doc.uri.toString();
  }
}
