/** Messages in words: `alert` for what went wrong (read out at once), `status` for what happened. */
export function ErrorText({ message, id }: { message: string | null; id?: string }) {
  return message ? (
    <p role="alert" className="error" id={id}>
      {message}
    </p>
  ) : null;
}

export function StatusText({ message, id }: { message: string | null; id?: string }) {
  return (
    <p role="status" className="status" id={id}>
      {message ?? ''}
    </p>
  );
}
