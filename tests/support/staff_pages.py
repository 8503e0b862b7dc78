"""Staff-page helpers the web tests share: a Family B ticket walked through the counter pages, and
the administration form of a service."""


def walk_family_b(client, login, clock, decision="MS"):
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    login("pelayanan2")
    client.post("/counter/loket", data={"loket_id": 2})
    client.post("/counter/call-next")
    clock.advance(minutes=3)
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Sri Wahyuni", "nik": "3503124507540001"})
    for step, user in [(3, "kasi"), (4, "register"), (5, "sekcam"), (6, "camat")]:
        client.post("/counter/logout")
        login(user)
        clock.advance(minutes=4)
        data = {"step": step, "decision": decision} if step == 3 else {"step": step}
        if decision == "TMS":
            data["missing"] = "KTP dan Kartu Keluarga (KK) para ahli waris"
        client.post(f"/counter/tickets/{t['id']}/step", data=data)
        if decision == "TMS":
            break
    client.post("/counter/logout")
    return t


def service_form(page_service: dict) -> dict:
    """The edit form's fields for a service in the data file's shape (what the page would post)."""
    form = {k: page_service.get(k) or "" for k in ("code", "name", "name_en", "group", "prefix", "sop",
                                                   "agenda_code", "source")}
    form["requirements"] = "\n".join(page_service.get("requirements", []))
    for i, st in enumerate(page_service["steps"]):
        form.update({f"steps-{i}-order": st["number"], f"steps-{i}-activity": st["activity"],
                     f"steps-{i}-actor": st["actor"], f"steps-{i}-kind": st["kind"],
                     f"steps-{i}-minutes": st["minutes"], f"steps-{i}-documents": st.get("documents", ""),
                     f"steps-{i}-output": st.get("output", ""), f"steps-{i}-note": st.get("note", "")})
        if st.get("in_person", st["kind"] in ("submit", "handover", "collect")):
            form[f"steps-{i}-in_person"] = "1"
        if st.get("decision"):
            form["decision"] = str(i)
        if st.get("form"):
            form[f"steps-{i}-form"] = st["form"]
    if page_service.get("anonymous"):
        form["anonymous"] = "1"
    return form
