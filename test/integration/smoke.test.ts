import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import pkg from '../../package.json';

const extensionId = `${pkg.publisher}.${pkg.name}`;

/** Polls `check` until it is true or `ms` have passed. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('extension smoke', () => {
  it(`${extensionId} is loaded from the development folder`, () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension ${extensionId} not found`);
    assert.equal(ext.packageJSON.version, pkg.version);
    assert.ok(ext.packageJSON.activationEvents.includes('onLanguage:python'));
  });

  it('activates when a Python file is opened', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder open');
    const files = await vscode.workspace.findFiles('**/*.py', undefined, 1);
    assert.ok(files.length > 0, `no .py file in ${folder.uri.fsPath}`);
    const doc = await vscode.workspace.openTextDocument(files[0]);
    assert.equal(doc.languageId, 'python', `${path.basename(files[0].fsPath)} opened as ${doc.languageId}`);
    await vscode.window.showTextDocument(doc);
    assert.ok(await waitFor(() => ext.isActive, 20_000), 'not active 20 s after opening a Python file');
    await ext.activate();
    assert.ok(ext.isActive);
  });
});
