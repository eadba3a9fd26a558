// The ffmpeg core's files, emitted by Vite as assets of our own origin.
declare module '@ffmpeg/core?url' {
  const url: string;
  export default url;
}
declare module '@ffmpeg/core/wasm?url' {
  const url: string;
  export default url;
}
