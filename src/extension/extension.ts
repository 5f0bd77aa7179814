import type * as vscode from 'vscode';

/** Extension entry point (bundled to dist/extension.js); the product's features register here as they land. */
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
