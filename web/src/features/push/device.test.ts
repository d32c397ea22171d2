import { describe, expect, it } from "vitest";
import { deviceLabel, keyBytes } from "./device";

describe("push device helpers", () => {
  it("turns the server's base64url key into the bytes the browser wants", () => {
    // 0x04 then 64 more bytes: an uncompressed P-256 point, as GET /api/v1/push/key answers.
    const bytes = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : (i * 37) % 256));
    const b64url = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(Array.from(keyBytes(b64url))).toEqual(Array.from(bytes));
  });

  it("names the device by its browser and system", () => {
    expect(deviceLabel("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36")).toMatch(/^Chrome on Android/);
    expect(deviceLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toMatch(/^Safari on iOS/);
    expect(deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0")).toMatch(/^Edge on Windows/);
    expect(deviceLabel("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toMatch(/^Firefox on Linux/);
  });
});
