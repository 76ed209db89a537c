#pragma once
// TwiML, the XML a Twilio webhook answers with: here only <Message> replies to an inbound SMS.

#include <string>
#include <string_view>
#include <vector>

namespace civicline::channels {

/// `<?xml version="1.0" encoding="UTF-8"?><Response><Message>...</Message>...</Response>`, one
/// <Message> per reply (Twilio sends each as its own SMS), or `<Response/>` for no reply.
/// Text is escaped (& < > " '); characters XML 1.0 does not allow (control characters other
/// than tab, newline and carriage return, U+FFFE, U+FFFF) are dropped and invalid UTF-8 becomes
/// U+FFFD, so a reply never turns into a document Twilio rejects.
std::string render_twiml(const std::vector<std::string>& messages);

/// `text` as XML character data, escaped and cleaned the way render_twiml's messages are; also
/// used by the Open311 XML (channels/open311_format.hpp).
std::string escape_xml_text(std::string_view text);

/// The texts of the <Message> elements of a TwiML document, unescaped, in order: for a CLI that
/// prints what the server answered. Accepts <Message> with attributes, the <Message><Body>...
/// </Body></Message> form (other children such as <Media> are skipped), CDATA sections and
/// character references. Not a full XML parser: comments and processing instructions are
/// skipped, anything it cannot read is left as text.
std::vector<std::string> parse_twiml_messages(std::string_view xml);

}  // namespace civicline::channels
