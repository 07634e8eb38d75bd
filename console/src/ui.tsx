/**
 * The console's building blocks: labelled fields that show their own error, forms that show
 * their progress and error, modal dialogs, an actions menu, tables and paged lists, copy buttons,
 * empty states. Native elements first (`<dialog>`, `<label>`, `<button>`), so keyboard and screen
 * readers work without scripting.
 */
import type { ButtonHTMLAttributes, ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Paged } from './paged.ts';
import { explain } from './problems.ts';
import { SessionEnded } from './session.ts';

/* ------------------------------------------------------------------ forms and errors */

/**
 * A form's submission: runs `action`, shows progress, and keeps the error explained, with the
 * field the API named (so each input shows its own message).
 */
export function useSubmit<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        await action(...args);
      } catch (e) {
        if (e instanceof SessionEnded) return;
        if (mounted.current) setError(explain(e));
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [action],
  );
  /** The message for one field, when the error names it. */
  const fieldError = (field: string) =>
    error?.field && (error.field === field || error.field.startsWith(`${field}[`))
      ? error.message
      : undefined;
  /** The message when no field shown on this form is named. */
  const formError = (fields: readonly string[]) =>
    error && !fields.some((f) => fieldError(f)) ? error.message : undefined;
  return { busy, error, setError, run, fieldError, formError };
}

/** A message about the whole form (or a failed load), announced when it appears. */
export function ErrorMessage(props: { children: ComponentChildren; id?: string }) {
  return (
    <div class="error-message" role="alert" id={props.id}>
      <span aria-hidden="true" class="error-icon">
        !
      </span>
      <span>{props.children}</span>
    </div>
  );
}

/** What a form needs of `useSubmit`'s result. */
export interface Submission {
  busy: boolean;
  run: () => Promise<void>;
  formError: (fields: readonly string[]) => string | undefined;
}

/**
 * A form that runs `submit`: its fields (`children`), the error none of its fields shows, and its
 * submit button, beside a Cancel button in dialogs (`onCancel`). An `inline` form is one row,
 * with its error under the row.
 */
export function SubmitForm(props: {
  submit: Submission;
  /**
   * The fields this form shows: an error naming none of them is shown under the form (with `[]`,
   * every error). Left out, the fields show every error themselves.
   */
  fields?: readonly string[];
  /** The submit button's text, and its text while the submission runs. */
  action: ComponentChildren;
  busyLabel?: string;
  variant?: 'primary' | 'danger';
  onCancel?: () => void;
  inline?: boolean;
  /** Between the form's error and its buttons: progress, or a confirmation asked for. */
  note?: ComponentChildren;
  /** Runs on submission instead of `submit` (to ask for a confirmation first). */
  onSubmit?: () => void;
  children: ComponentChildren;
}) {
  const { submit } = props;
  const message = props.fields ? submit.formError(props.fields) : undefined;
  const error = message ? <ErrorMessage>{message}</ErrorMessage> : null;
  const button = (
    <SubmitButton
      variant={props.variant ?? 'primary'}
      busy={submit.busy}
      busyLabel={props.busyLabel}
    >
      {props.action}
    </SubmitButton>
  );
  const form = (
    <form
      class={props.inline ? 'inline-form' : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        if (props.onSubmit) props.onSubmit();
        else void submit.run();
      }}
    >
      {props.children}
      {props.inline ? null : error}
      {props.note}
      {props.onCancel ? (
        <div class="actions">
          {button}
          <Button onClick={props.onCancel}>Cancel</Button>
        </div>
      ) : (
        button
      )}
    </form>
  );
  return props.inline ? (
    <>
      {form}
      {error}
    </>
  ) : (
    form
  );
}

/** What a control inside a `Field` carries: its id, its hint and error, whether it is invalid. */
export interface ControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
}

interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  children: (control: ControlProps) => JSX.Element;
}

/** A label, the control, a hint and the control's own error, wired with ids. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? (
        <div class="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {error ? (
        <div class="field-error" id={errorId}>
          <span aria-hidden="true" class="error-icon">
            !
          </span>
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** What every field takes: its label, hint and error, and its value. */
interface FieldBase<V extends string = string> {
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  value: V;
  onValue: (value: V) => void;
  required?: boolean;
}

interface InputProps extends FieldBase {
  type?: 'text' | 'email' | 'password' | 'number' | 'url';
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'email' | 'url';
  min?: number;
  pattern?: string;
  spellcheck?: boolean;
}

export function TextField({
  label,
  hint,
  error,
  value,
  onValue,
  type = 'text',
  ...rest
}: InputProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => (
        <input
          {...control}
          // Preact's types tell input kinds apart by a literal `type`; these five take the same props.
          type={type as 'text'}
          value={value}
          required={rest.required}
          autocomplete={rest.autocomplete}
          inputMode={rest.inputMode}
          min={rest.min}
          pattern={rest.pattern}
          spellcheck={rest.spellcheck}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

interface SelectProps extends FieldBase {
  options: readonly { value: string; label: string }[];
}

export function SelectField(props: SelectProps) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          required={props.required}
          onChange={(e) => props.onValue(e.currentTarget.value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A multi-line text input (a pasted document, such as SAML metadata). */
export function TextAreaField(props: FieldBase & { rows?: number }) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(control) => (
        <textarea
          {...control}
          rows={props.rows ?? 6}
          value={props.value}
          required={props.required}
          spellcheck={false}
          onInput={(e) => props.onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** One choice of several, as radio buttons in a fieldset with a legend. */
export function RadioGroup<T extends string>(props: {
  legend: string;
  value: T;
  onValue: (value: T) => void;
  /** A `disabled` option is shown, not offered; its `why` is said under it. */
  options: readonly { value: T; label: string; disabled?: boolean; why?: string | undefined }[];
}) {
  const name = useId();
  return (
    <fieldset class="fieldset radio-group">
      <legend>{props.legend}</legend>
      {props.options.map((o) => {
        const whyId = o.why ? `${name}-${o.value}-why` : undefined;
        const radio = (
          <label key={o.value} class="radio">
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={props.value === o.value}
              disabled={o.disabled}
              aria-describedby={whyId}
              onChange={() => props.onValue(o.value)}
            />{' '}
            {o.label}
          </label>
        );
        if (!o.why) return radio;
        return (
          <div key={o.value} class="radio-with-why">
            {radio}
            <p id={whyId} class="hint">
              {o.why}
            </p>
          </div>
        );
      })}
    </fieldset>
  );
}

/** A checkbox with its label beside it, and an optional description under it. */
export function CheckboxField(props: {
  label: string;
  description?: ComponentChildren;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const descId = props.description ? `${id}-desc` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  return (
    <div class="checkbox-field">
      <input
        type="checkbox"
        id={id}
        checked={props.checked}
        aria-describedby={[descId, errorId].filter(Boolean).join(' ') || undefined}
        onChange={(e) => props.onChecked(e.currentTarget.checked)}
      />
      <div>
        <label for={id}>{props.label}</label>
        {props.description ? (
          <div class="hint" id={descId}>
            {props.description}
          </div>
        ) : null}
        {props.error ? (
          <div class="field-error" id={errorId}>
            {props.error}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/* ------------------------------------------------------------------ buttons and progress */

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  /** Shows a spinner and `busyLabel`, and ignores clicks, while true. */
  busy?: boolean;
  busyLabel?: string;
};

export function Button({ variant = 'secondary', busy, busyLabel, children, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      class={`button button-${variant}${rest.class ? ` ${rest.class}` : ''}`}
      aria-disabled={busy || undefined}
      onClick={busy ? (e) => e.preventDefault() : rest.onClick}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}

/** A submit button that shows progress. */
export function SubmitButton(props: Omit<ButtonProps, 'type'>) {
  return <Button variant="primary" {...props} type="submit" />;
}

/** Progress while something loads: visible text, announced politely. */
export function Loading({ children = 'Loading…' }: { children?: ComponentChildren }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {children}
    </div>
  );
}

/** What an empty list means, and what to do next. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children ? <div class="empty-next">{children}</div> : null}
    </div>
  );
}

/** A small coloured label (status, role). The text carries the meaning; colour only helps. */
export function Badge({
  tone,
  children,
}: {
  tone: 'ok' | 'warn' | 'off' | 'info';
  children: ComponentChildren;
}) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/* ------------------------------------------------------------------ copy */

/** Copies `value`; says so in words for screen readers and sighted people alike. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span class="copy">
      <Button variant="secondary" class="button-small" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </Button>
      <span role="status" class="copy-status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select the text and copy it' : ''}
      </span>
    </span>
  );
}

/* ------------------------------------------------------------------ dialogs */

/**
 * A modal `<dialog>`: the browser traps focus, Escape closes it, and focus returns to what
 * opened it. `onClose` runs however it closes.
 */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    const closed = () => onClose.current();
    dialog.addEventListener('close', closed);
    return () => {
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class={`dialog${props.wide ? ' dialog-wide' : ''}`} aria-labelledby={titleId}>
      <div class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="dialog-close" onClick={() => ref.current?.close()}>
          <span aria-hidden="true">×</span>
          <span class="visually-hidden">Close</span>
        </button>
      </div>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}

/** What a form dialog takes beyond its form: its title, its width and what closes it. */
type FormDialogProps = Omit<Parameters<typeof SubmitForm>[0], 'onCancel' | 'inline'> & {
  title: string;
  onClose: () => void;
  wide?: boolean;
};

/** A dialog holding one form: its submission's progress and error, and Cancel beside submit. */
export function FormDialog({ title, onClose, wide, ...form }: FormDialogProps) {
  return (
    <Dialog title={title} onClose={onClose} wide={wide}>
      <SubmitForm {...form} onCancel={onClose} />
    </Dialog>
  );
}

/**
 * "Are you sure?": the consequence in words, a confirm button naming the action, and the
 * action's progress and error inside the dialog. With `done`, a confirmed action is announced in
 * those words and the dialog closes; without it, `onConfirm` says what comes next.
 */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  busyLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  done?: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const submit = useSubmit(async () => {
    await props.onConfirm();
    if (props.done === undefined) return;
    announce(props.done);
    props.onClose();
  });
  return (
    <FormDialog
      title={props.title}
      onClose={props.onClose}
      submit={submit}
      fields={[]}
      action={props.confirmLabel}
      busyLabel={props.busyLabel}
      variant={props.danger ? 'danger' : 'primary'}
    >
      <div class="dialog-text">{props.children}</div>
    </FormDialog>
  );
}

/** A wide dialog that shows something to read or copy, closed with Done. */
export function DoneDialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose} wide>
      {props.children}
      <div class="actions">
        <Button variant="primary" onClick={props.onClose}>
          Done
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * One value to copy, in a `<dl>`: its label, the value (`testId` names it for tests) and a copy
 * button (`copy` says what it copies). A value not known shows `missing` instead.
 */
export function CopyValue(props: {
  label: string;
  copy: string;
  testId: string;
  value: string | null;
  missing?: ComponentChildren;
}) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>
        {props.value ? (
          <>
            <code class="record-value" data-testid={props.testId}>
              {props.value}
            </code>
            <CopyButton value={props.value} label={props.copy} />
          </>
        ) : (
          props.missing
        )}
      </dd>
    </div>
  );
}

/* ------------------------------------------------------------------ actions menu */

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/**
 * The per-row "Actions" menu: a disclosure button and a list of buttons. Arrow keys move between
 * items, Escape closes and returns focus to the button, leaving the menu closes it.
 */
export function ActionsMenu({ label, items }: { label: string; items: readonly MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const buttons = () =>
    Array.from(root.current?.querySelectorAll<HTMLButtonElement>('.menu-list button') ?? []);

  useEffect(() => {
    if (!open) return;
    buttons()[0]?.focus();
    const outside = (e: Event) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    const list = buttons();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      list[(at + 1) % list.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      list[(at - 1 + list.length) % list.length]?.focus();
    }
  };
  // Tabbing out of the menu closes it.
  const onBlur = (e: FocusEvent) => {
    const next = e.relatedTarget as Node | null;
    if (next && !root.current?.contains(next)) setOpen(false);
  };

  return (
    <div class="menu" ref={root}>
      <button
        type="button"
        ref={toggle}
        class="button button-secondary button-small"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
      >
        Actions<span class="visually-hidden"> for {label}</span>
        <span aria-hidden="true" class="caret">
          ▾
        </span>
      </button>
      <ul id={id} class="menu-list" hidden={!open}>
        {items.map((item) => (
          <li key={item.label}>
            <button
              type="button"
              class={item.danger ? 'danger' : undefined}
              onKeyDown={onKeyDown}
              onBlur={onBlur}
              onClick={() => {
                setOpen(false);
                // What the item opens (a dialog) returns focus here when it closes.
                toggle.current?.focus();
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/* ------------------------------------------------------------------ tables and lists */

/** A table's column headers; `actions` adds the unnamed-on-screen column of the row actions. */
export function TableHead({ columns, actions }: { columns: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {actions ? (
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}

/**
 * A card named by its heading, `id`. A `panel` heading (the default) is a screen's section title:
 * an `h2` that takes focus after navigation; `h2` and `h3` are plain headings. `action` (a button)
 * stands beside the title.
 */
export function Panel(props: {
  id: string;
  title: ComponentChildren;
  heading?: 'panel' | 'h2' | 'h3';
  action?: ComponentChildren;
  class?: string;
  children?: ComponentChildren;
}) {
  const heading = props.heading ?? 'panel';
  const title =
    heading === 'h3' ? (
      <h3 id={props.id}>{props.title}</h3>
    ) : heading === 'h2' ? (
      <h2 id={props.id}>{props.title}</h2>
    ) : (
      <h2 id={props.id} class="panel-title" tabIndex={-1}>
        {props.title}
      </h2>
    );
  return (
    <section class={props.class ?? 'card'} aria-labelledby={props.id}>
      {props.action ? (
        <div class="section-head">
          {title}
          {props.action}
        </div>
      ) : (
        title
      )}
      {props.children}
    </section>
  );
}

/**
 * A table of `items`, a `row` each: named by a `caption` that only screen readers see, or
 * described by a visible heading (`describedBy`); `actions` adds the row actions' column.
 */
export function Table<T>(props: {
  caption?: ComponentChildren;
  describedBy?: string;
  columns: readonly string[];
  actions?: boolean;
  items: readonly T[];
  row: (item: T) => ComponentChildren;
}) {
  return (
    <table class="table" aria-describedby={props.describedBy}>
      {props.caption ? <caption class="visually-hidden">{props.caption}</caption> : null}
      <TableHead columns={props.columns} actions={props.actions} />
      <tbody>{props.items.map((item) => props.row(item))}</tbody>
    </table>
  );
}

/** "Load more" under a paginated list, with its progress and error. */
export function MoreButton<T>({ list, what }: { list: Paged<T>; what: string }) {
  if (!list.more && !list.loadMoreError) return null;
  return (
    <div class="more">
      {list.loadMoreError ? <ErrorMessage>{list.loadMoreError}</ErrorMessage> : null}
      <Button onClick={list.loadMore} busy={list.loading} busyLabel="Loading…">
        Load more {what}
      </Button>
    </div>
  );
}

/**
 * A paginated list in each of its states: its error, `loading` while the first page loads, what
 * it means when `empty`, the loaded items (`children`, shown once there are some), and
 * "Load more {what}".
 */
export function PagedList<T>(props: {
  list: Paged<T>;
  loading: string;
  empty: ComponentChildren;
  what: string;
  children: ComponentChildren;
}) {
  const { list } = props;
  return (
    <>
      {list.error ? <ErrorMessage>{list.error}</ErrorMessage> : null}
      {list.loading && list.items.length === 0 ? <Loading>{props.loading}</Loading> : null}
      {!list.loading && !list.error && list.items.length === 0 ? props.empty : null}
      {list.items.length ? props.children : null}
      <MoreButton list={list} what={props.what} />
    </>
  );
}

/* ------------------------------------------------------------------ data loading */

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
  set: (value: T) => void;
}

/** Loads `fetcher()` when `key` changes; `reload()` fetches again (keeping the old data shown). */
export function useLoad<T>(fetcher: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  // `key` and `tick` are what re-fetch; the fetcher is read through a ref.
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    fetcherRef.current().then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) => {
        if (e instanceof SessionEnded) return;
        if (live) setState((s) => ({ ...s, error: explain(e).message, loading: false }));
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setTick((t) => t + 1),
    set: (data: T) => setState({ data, loading: false }),
  };
}

/* ------------------------------------------------------------------ announcements */

let announceListener: ((message: string) => void) | undefined;

/** Tells the person (and screen readers) that something happened: "Domain added". */
export function announce(message: string): void {
  announceListener?.(message);
}

/** The visible, polite live region `announce` writes to. */
export function Announcer() {
  const [message, setMessage] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    announceListener = (m) => {
      setMessage('');
      // A fresh text node, so the same message twice is announced twice.
      setTimeout(() => setMessage(m), 30);
      clearTimeout(timer);
      timer = setTimeout(() => setMessage(''), 4000);
    };
    // A message is about the screen it was said on.
    const clear = () => setMessage('');
    window.addEventListener('hashchange', clear);
    return () => {
      announceListener = undefined;
      clearTimeout(timer);
      window.removeEventListener('hashchange', clear);
    };
  }, []);
  return (
    <div class={`announcer${message ? ' announcer-visible' : ''}`} role="status" aria-live="polite">
      {message}
    </div>
  );
}
