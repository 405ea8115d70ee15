/** A page that throws while rendering shows what happened in words; the sidebar and navigation stay. */
import { Component, type ReactNode } from 'react';

interface State {
  readonly failure: string | null;
}

export class PageErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, State> {
  override state: State = { failure: null };

  static getDerivedStateFromError(error: unknown): State {
    return { failure: error instanceof Error ? error.message : 'Something went wrong.' };
  }

  override componentDidUpdate(previous: { resetKey: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.failure) this.setState({ failure: null });
  }

  override render() {
    if (!this.state.failure) return this.props.children;
    return (
      <div role="alert" className="card">
        <h1>This page could not be shown</h1>
        <p>{this.state.failure}</p>
        <p className="muted">Pick another page in the sidebar, or reload to try again.</p>
      </div>
    );
  }
}
