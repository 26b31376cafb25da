import { useEffect, useState } from "preact/hooks";
import { markUsable } from "../usable";
import { t } from "../i18n";
import { signIn } from "../session";
import { explain, type Shown } from "../errors";
import { ErrorBox, Field } from "../ui/common";
import { navigate } from "../router";

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Shown | null>(null);
  useEffect(markUsable, []);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      navigate("/", true);
    } catch (e) {
      setError(explain(e)); // what was typed stays in the fields
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="screen narrow">
      <h1>{t("signin.title")}</h1>
      <form onSubmit={submit} novalidate>
        <Field id="email" label={t("signin.email")} type="email" autocomplete="username" inputmode="email" value={email} onInput={setEmail} required />
        <Field id="password" label={t("signin.password")} type="password" autocomplete="current-password" value={password} onInput={setPassword} required />
        <ErrorBox shown={error} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t("signin.busy") : t("signin.submit")}
        </button>
      </form>
    </main>
  );
}
