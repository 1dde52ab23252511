"""Form field settings shared by every app."""

# An 11-digit mobile number, or a landline with its area code.
PHONE_FIELD = dict(regex=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
                   error_messages={"invalid": "联系电话格式不正确(11位手机号或带区号的固定电话)"})
