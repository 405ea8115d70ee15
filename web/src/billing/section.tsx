/** A billing section: a region named by its heading. */
import { useId, type ReactNode } from 'react';

export function Section(props: { title: string; children: ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <section className={props.wide ? 'card wide' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}
