import { render } from "preact";
import "./styles.css";
import { App } from "./app";
import { resume } from "./session";
import { sync } from "./offline/queue";

if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => undefined);
}

const root = document.getElementById("app")!;
performance.mark("ironfield:start");
root.textContent = ""; // the "loading" text in the page, for browsers without JavaScript
// Show the app from what the phone holds at once; the session resumes in the background and
// the queue is sent as soon as there is a token.
render(<App />, root);
void resume().then(() => sync());
