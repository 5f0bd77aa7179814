// The one disposal root: every long-lived disposable hangs on `Ctx`, which is itself pushed into
// context.subscriptions; things that live for one trace run go into a `RunBucket` the run disposes at its end.

import * as vscode from 'vscode';

/** Disposables that live for one trace run (cancellation hooks, progress listeners, timers). */
export class RunBucket implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly label: string,
    private readonly onDispose: (b: RunBucket) => void,
  ) {}

  add<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  /** An AbortController aborted when the bucket is disposed before the run finished. */
  abortController(): AbortController {
    const c = new AbortController();
    this.add({ dispose: () => c.abort() });
    return c;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.items.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
    this.onDispose(this);
  }
}

/** The extension's root object: its services and every disposable, disposed once at deactivation. */
export class Ctx implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private readonly runs = new Set<RunBucket>();

  constructor(readonly extension: vscode.ExtensionContext) {
    extension.subscriptions.push(this);
  }

  /** Registers a long-lived disposable; returns it for chaining. */
  add<T extends vscode.Disposable>(d: T): T {
    this.items.push(d);
    return d;
  }

  /** A bucket for one trace run; disposed by the run, or here at deactivation if still open. */
  run(label: string): RunBucket {
    const b = new RunBucket(label, (x) => this.runs.delete(x));
    this.runs.add(b);
    return b;
  }

  get openRuns(): number {
    return this.runs.size;
  }

  dispose(): void {
    for (const r of [...this.runs]) r.dispose();
    for (const d of this.items.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
  }
}
