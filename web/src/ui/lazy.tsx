/** Loads a screen's code when it is first shown, so the first screen stays light. */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    useEffect(() => {
      if (!component) void load().then((c) => setComponent(() => (loaded = c)));
    }, []);
    const Component = component;
    return Component ? <Component {...props} /> : <main class="screen"><p>{t("app.loading")}</p></main>;
  };
}
