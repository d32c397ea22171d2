import { useNavigate, useParams } from "react-router-dom";
import { Empty } from "antd";
import { MessageOutlined } from "@ant-design/icons";
import { useMe } from "../../api/hooks";
import { useT } from "../../i18n";
import { useIsPhone } from "../layout/AppLayout";
import { ConversationList } from "./ConversationList";
import { ChatView } from "./ChatView";
import "./chat.css";

/** /chat and /chat/:conversationId: list and conversation side by side; on a phone, one at a time. */
export default function ChatPage() {
  const t = useT();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const me = useMe().data;
  const params = useParams();
  const id = params.conversationId ? Number(params.conversationId) : null;
  const open = (cid: number) => navigate(`/chat/${cid}`);
  const back = () => navigate("/chat");
  if (!me) return null;
  const valid = id != null && Number.isInteger(id) && id > 0;
  return (
    <div className={`bw-chat${phone ? " bw-chat-phone" : ""}`} data-testid="chat-page">
      {(!phone || !valid) && <ConversationList activeId={valid ? id : null} onOpen={open} />}
      {valid ? (
        <ChatView key={id} id={id} me={me.id} phone={phone} onBack={back} />
      ) : (
        !phone && (
          <div className="bw-chat-view bw-center">
            <Empty image={<MessageOutlined style={{ fontSize: 48, color: "#bbb" }} />} description={t("chat.pickOne")} />
          </div>
        )
      )}
    </div>
  );
}
