/** Icons chat needs that antd does not have. Drawn here (24×24, the current text colour). */
import Icon from "@ant-design/icons";
import type { GetProps } from "antd";

type IconProps = Partial<GetProps<typeof Icon>>;

function BellOffSvg() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M8.6 4.2A6 6 0 0 1 18 9v4l1.5 2.6" />
      <path d="M6.2 6.9A6 6 0 0 0 6 9v4l-2 3h12" />
      <path d="M10 19a2 2 0 0 0 4 0" />
      <path d="M3 3l18 18" />
    </svg>
  );
}

/** A bell struck through: a muted conversation (消息免打扰). */
export function BellOffOutlined(props: IconProps) {
  return <Icon component={BellOffSvg} {...props} />;
}
